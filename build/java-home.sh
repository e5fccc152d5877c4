#!/usr/bin/env bash
# Prints the home of a JDK that can build and run Sonde (Java 22 or newer: the finished FFM API);
# prefers $JAVA_HOME, then Java 25 under /usr/lib/jvm, then the newest one there.
set -euo pipefail

version_of() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
ok() { [ -x "$1/bin/javac" ] && [ "$(version_of "$1")" -ge 22 ] 2>/dev/null; }

if [ -n "${JAVA_HOME:-}" ] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
best= bestv=0
for d in /usr/lib/jvm/*/; do
  d=${d%/}
  [ -L "$d" ] && continue
  ok "$d" || continue
  v=$(version_of "$d")
  if [ "$v" = 25 ]; then echo "$d"; exit 0; fi
  if [ "$v" -gt "$bestv" ]; then best=$d bestv=$v; fi
done
if [ -n "$best" ]; then echo "$best"; exit 0; fi
echo "sonde: no JDK 22 or newer found (JAVA_HOME or /usr/lib/jvm); install Java 25 (for example Temurin 25) and set JAVA_HOME" >&2
exit 1
