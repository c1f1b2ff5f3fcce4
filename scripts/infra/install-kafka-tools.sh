#!/usr/bin/env bash
# Fetches Apache Kafka's own command-line tools (kafka-topics, kafka-consumer-groups,
# kafka-console-consumer, ...) from Maven Central: org.apache.kafka:kafka-tools, the
# artifact that holds org.apache.kafka.tools.TopicCommand and the others since 3.x,
# at the broker's version. Fetched on first use of `npm run kafka`, not by npm start.
set -euo pipefail

VERSION=3.9.1 # the broker's (install-kafka.sh)
DIR="$HOME/.cache/book-rental-sagas/kafka-tools-$VERSION"
LIBS="$DIR/libs"

if [[ -f "$LIBS/.complete" ]]; then exit 0; fi
mkdir -p "$DIR"
exec 9>"$DIR.lock"
flock 9
if [[ -f "$LIBS/.complete" ]]; then exit 0; fi

echo "kafka-tools: fetching kafka-tools $VERSION and its runtime jars from Maven Central with mvn" >&2
start=$SECONDS
cat >"$DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>kafka-tools-fetch</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$VERSION</version></dependency>
  </dependencies>
</project>
POM
rm -rf "$LIBS" "$LIBS.tmp"
mvn -q -B -Dstyle.color=never -f "$DIR/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp" >&2
touch "$LIBS.tmp/.complete"
mv "$LIBS.tmp" "$LIBS"
echo "kafka-tools: fetched $(ls "$LIBS" | wc -l) jars in $((SECONDS - start))s" >&2
