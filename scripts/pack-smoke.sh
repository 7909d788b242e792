#!/usr/bin/env bash
# Packaging check (`npm run pack:smoke`; .ci/run runs it after the tests and counts it as one test): pack the tarball,
# install it into a temporary prefix without dev dependencies, and run the installed binary from another directory:
# `opsctl version`, `opsctl demo`, `opsctl status`. Also checks that the tarball ships LICENSE, .env.example,
# npm-shrinkwrap.json and deploy/. Exit 0 when all of that works (3.5 min here with better-sqlite3's prebuilt binary).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say() { echo "pack-smoke: $*" >&2; }

npm pack --silent --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/opsctl-*.tgz)
listing=$(tar tzf "$tarball")
for f in package/LICENSE package/.env.example package/npm-shrinkwrap.json package/deploy/opsctl-bot.service \
  package/deploy/opsctl.cron package/bin/opsctl package/dist/src/cli.js package/dist/build-info.json; do
  grep -qx "$f" <<<"$listing" || { say "the tarball lacks ${f#package/}"; exit 1; }
done
say "installing $(basename "$tarball") into a temporary prefix (no dev dependencies)"
npm install --global --prefix "$work/prefix" --omit=dev --no-audit --no-fund --prefer-offline "$tarball" >"$work/install.log" 2>&1 \
  || { cat "$work/install.log" >&2; say "install failed"; exit 1; }
grep -i 'warn' "$work/install.log" >&2 || true
bin="$work/prefix/bin/opsctl"
mkdir "$work/elsewhere"
cd "$work/elsewhere"
env -i PATH="$work/prefix/bin:$PATH" HOME="$work" "$bin" version
env -i PATH="$work/prefix/bin:$PATH" HOME="$work" OPSCTL_HOME="$work/home" "$bin" demo --quiet >"$work/demo.txt" \
  || { cat "$work/demo.txt" >&2; say "demo failed"; exit 1; }
grep -q 'next: opsctl opens the console' "$work/demo.txt" || { cat "$work/demo.txt" >&2; say "the demo's hint does not say opsctl"; exit 1; }
env -i PATH="$work/prefix/bin:$PATH" HOME="$work" OPSCTL_HOME="$work/home" "$bin" -c "$work/home/opsctl.config.json" status \
  || { rc=$?; [ "$rc" -eq 1 ] || { say "status exited $rc"; exit 1; }; say "status ran (exit 1: the board holds a critical item)"; }
say "ok"
