#!/usr/bin/env bash
# Builds every service's image with podman from deploy/Dockerfile, on this machine, offline from
# container registries: the Node base is the local stand-in of deploy/docker/local-base.sh
# unless NODE_IMAGE names another. The build stage is built once and shared by all.
#
#   deploy/docker/build-images.sh [service…]    (every service by default)
#
# Tags: emporium/<service>:<TAG> and emporium-build:<TAG>, where TAG is $EMPORIUM_TAG or the
# commit (`<sha>-dirty` when the working tree differs from it), as CI tags what it pushes.
# Images of other commits are removed (only commit-like tags; `0.1.0` and the like are kept),
# so repeated runs do not fill the disk. Prints the tag on stdout; progress goes to stderr
# (BUILD_IMAGES_DEBUG=1 keeps each podman build log in /tmp/build-images-*.log).
set -euo pipefail
cd "$(dirname "$0")/../.."

# Every folder of services/ with a manifest: the deployables of packages/contracts/src/services.ts,
# found without node_modules (the script runs before any `npm ci`).
SERVICES=()
for manifest in services/*/package.json; do
  SERVICES+=("$(basename "$(dirname "$manifest")")")
done
[ "$#" -gt 0 ] && SERVICES=("$@")
say() { echo "build-images: [${SECONDS}s] $*" >&2; }

if [ -z "${EMPORIUM_TAG:-}" ]; then
  if sha=$(git rev-parse HEAD 2>/dev/null); then
    if [ -n "$(git status --porcelain --untracked-files=normal 2>/dev/null)" ]; then
      EMPORIUM_TAG=$sha-dirty
    else
      EMPORIUM_TAG=$sha
    fi
  else
    EMPORIUM_TAG=local
  fi
fi
NODE_IMAGE=${NODE_IMAGE:-$(bash deploy/docker/local-base.sh)}

# One build at a time on this machine (two test runs share the layer cache, and the clean-up
# below must not remove what another build is using).
exec 9>/tmp/emporium-build-images.lock
flock 9

# A snapshot of the build context: the builds see the same sources even while files are
# edited, and the build stage's layers are reused by all of them. Only what git would keep
# (tracked and new files, not ignored ones); .dockerignore then applies as usual. Modes are kept,
# so an unchanged tree hits the layer cache of the previous run.
CONTEXT=$(mktemp -d /var/tmp/emporium-context.XXXXXX)
trap 'rm -rf "$CONTEXT"' EXIT
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard |
    rsync -a --from0 --files-from=- --ignore-missing-args ./ "$CONTEXT/"
else
  rsync -a --exclude node_modules --exclude .git ./ "$CONTEXT/"
fi

build() { # extra podman build arguments…
  podman build --format docker --network=host --layers \
    -f "$CONTEXT/deploy/Dockerfile" --build-arg NODE_IMAGE="$NODE_IMAGE" "$@" "$CONTEXT" \
    >"$CONTEXT.log" 2>&1 || { tail -n 60 "$CONTEXT.log" >&2; rm -f "$CONTEXT.log"; return 1; }
  [ -z "${BUILD_IMAGES_DEBUG:-}" ] || cp "$CONTEXT.log" "/tmp/build-images-$(date +%s%N).log"
  rm -f "$CONTEXT.log"
}

started=$SECONDS
say "build stage (npm ci, storefront, bundles) on $NODE_IMAGE"
build --target build -t "localhost/emporium-build:$EMPORIUM_TAG"
for service in "${SERVICES[@]}"; do
  say "emporium/$service:$EMPORIUM_TAG"
  build --build-arg SERVICE="$service" -t "localhost/emporium/$service:$EMPORIUM_TAG"
done
say "built ${#SERVICES[@]} images in $((SECONDS - started)) s"

# Images of other commits, then the layers only they used.
podman images --format '{{.Repository}}:{{.Tag}}' |
  grep -E '^localhost/emporium(-build|/[a-z]+):[0-9a-f]{40}(-dirty)?$' |
  grep -v ":$EMPORIUM_TAG\$" |
  xargs -r podman rmi >/dev/null 2>&1 || true
podman image prune -f >/dev/null 2>&1 || true
say "done"
echo "$EMPORIUM_TAG"
