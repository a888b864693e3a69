#!/usr/bin/env bash
# Kept for old notes: the trainee app is now `bash tools/start.sh` (Voilà, 培训首页).
exec "$(dirname "$0")/start.sh" "$@"
