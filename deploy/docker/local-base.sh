#!/usr/bin/env bash
# A local stand-in for the official node:20-bookworm-slim image, for machines that cannot pull
# from a registry: a minimal Debian bookworm (debootstrap from this machine's apt mirror, with
# the libraries `ldd $(command -v node)` lists, ca-certificates and a shell for npm's install
# scripts) plus this machine's own Node 20 and npm, laid out as the official image lays them out
# (/usr/local/bin/node, /usr/local/lib/node_modules/npm, npm and npx links).
#
#   deploy/docker/local-base.sh            builds it when missing (or built from another Node)
#   deploy/docker/local-base.sh --force    builds it again
#   podman build --build-arg NODE_IMAGE=localhost/emporium-node-base:20 -f deploy/Dockerfile …
#
# Needs root, podman and debootstrap (`npm run infra:up` installs them on Debian). Prints the
# image name on stdout; progress goes to stderr.
set -euo pipefail

IMAGE=${EMPORIUM_NODE_BASE:-localhost/emporium-node-base:20}
NODE_BIN=$(readlink -f "$(command -v node)")
NODE_VERSION=$("$NODE_BIN" --version)
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")") # …/node_modules/npm
SUITE=bookworm
FORCE=${1:-}
# Bump when the recipe below changes, so images built by an older one are rebuilt.
RECIPE=2
STAMP="$NODE_VERSION/$RECIPE"

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
  x86_64) ARCH=amd64 ;;
  aarch64) ARCH=arm64 ;;
  *) say "unsupported architecture $(uname -m)"; exit 1 ;;
esac
[ "$(id -u)" = 0 ] || { say "debootstrap needs root"; exit 1; }
command -v debootstrap >/dev/null || { say "debootstrap is missing (npm run infra:up installs it)"; exit 1; }
[ "$(readlink -f "$NPM_DIR/bin/npm-cli.js")" ] || { say "npm not found next to $NODE_BIN"; exit 1; }
case "$NODE_VERSION" in v20.*) ;; *) say "node $NODE_VERSION is not Node 20"; exit 1 ;; esac

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
say "debootstrap $SUITE from $MIRROR (once; a minute or two)"
# The debs are kept between builds, so a rebuild downloads nothing.
CACHE=/var/cache/emporium-node-base/$SUITE-$ARCH
mkdir -p "$CACHE"
debootstrap --variant=minbase --arch="$ARCH" --cache-dir="$CACHE" \
  --include=ca-certificates,libstdc++6,libgcc-s1 "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  { tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }

# Every library node links against must be in the image (a different glibc would not load it).
missing=$(chroot "$ROOTFS" /bin/sh -c 'true' 2>&1 || true)
[ -z "$missing" ] || { say "the new root does not run: $missing"; exit 1; }
for lib in $(ldd "$NODE_BIN" | awk '/=>/ {print $1}'); do
  chroot "$ROOTFS" /bin/sh -c "ldconfig -p | grep -q '$lib'" ||
    { say "$lib (needed by node) is not in the image"; exit 1; }
done

mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/usr/local/lib/node_modules"
cp "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
chroot "$ROOTFS" /usr/local/bin/node --version >/dev/null
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

say "importing $IMAGE (node $NODE_VERSION)"
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
tar --numeric-owner -C "$ROOTFS" -c . |
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=${NODE_VERSION#v}" \
    --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
    --change "LABEL emporium.base=$STAMP" \
    --change 'LABEL org.opencontainers.image.description="Local stand-in for node:20-bookworm-slim"' \
    --change 'CMD ["node"]' \
    - "$IMAGE" >/dev/null
current || { say "the imported image lacks its emporium.base label"; exit 1; }
# The image it replaces, unless images built on it still hold it.
[ -z "$previous" ] || podman rmi "$previous" >/dev/null 2>&1 || true
echo "$IMAGE"
