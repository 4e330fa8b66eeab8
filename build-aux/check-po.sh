#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fails when po/zh_CN.po lacks a translation of any string in po/POTFILES.in.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pot=$(mktemp)
trap 'rm -f "$pot"' EXIT
cd "$top"
xgettext --from-code=UTF-8 -k_ -kN_ -kC_:1c,2 -kNC_:1c,2 -o "$pot" -f po/POTFILES.in
msgfmt --check -o /dev/null po/zh_CN.po
msgcmp po/zh_CN.po "$pot"
# msgcmp accepts empty translations: refuse those too
if msgattrib --untranslated po/zh_CN.po | grep -q '^msgid "[^"]'; then
  echo "po/zh_CN.po has untranslated strings" >&2
  exit 1
fi
echo "ok 1 - po/zh_CN.po translates every string"
echo "1..1"
