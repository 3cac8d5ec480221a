#!/usr/bin/env bash
# Back up the portal: a PostgreSQL dump (custom format) and the media folder (evidence,
# generated documents). Usage: scripts/backup.sh DEST_DIR
# Reads DATABASE_URL and MEDIA_ROOT from the environment (as the portal does).
set -euo pipefail
dest=${1:?usage: scripts/backup.sh DEST_DIR}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
media=${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$dest"
pg_dump --format=custom --no-owner --no-privileges --file="$dest/thidua-$stamp.dump" "$DATABASE_URL"
if [ -d "$media" ]; then
  tar -C "$media" -czf "$dest/thidua-media-$stamp.tar.gz" .
else
  tar -czf "$dest/thidua-media-$stamp.tar.gz" --files-from /dev/null
fi
echo "$dest/thidua-$stamp.dump"
echo "$dest/thidua-media-$stamp.tar.gz"
