#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database of DATABASE_URL (which must
# exist; its current content is replaced) and into MEDIA_ROOT.
# Usage: scripts/restore.sh DUMP_FILE MEDIA_TARBALL
set -euo pipefail
dump=${1:?usage: scripts/restore.sh DUMP_FILE MEDIA_TARBALL}
media_tar=${2:?usage: scripts/restore.sh DUMP_FILE MEDIA_TARBALL}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
media=${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --dbname="$DATABASE_URL" "$dump"
mkdir -p "$media"
tar -C "$media" -xzf "$media_tar"
echo "restored $(basename "$dump") and media into $media"
