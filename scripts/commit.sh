#!/usr/bin/env bash
# Commits only the named paths, one committer at a time (several people share this work tree).
# usage: scripts/commit.sh "message" path [path ...]
set -euo pipefail
msg=$1; shift
exec 9>/tmp/grantflow-git.lock
flock 9
git add -A -- "$@"
git commit -q -m "$msg" -- "$@"
git log --oneline -1
