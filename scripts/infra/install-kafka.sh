#!/usr/bin/env bash
# Fetches the Apache Kafka broker jars (and their runtime dependencies) from
# Maven Central; no Kafka distribution is packaged in Debian or on npm.
set -euo pipefail

VERSION=3.9.1 # kafkajs 2.2.4 still speaks the protocol versions 3.x accepts (4.x dropped some)
DIR="$HOME/.cache/book-rental-sagas/kafka-$VERSION"
LIBS="$DIR/libs"

if [[ -f "$LIBS/.complete" ]]; then
  echo "kafka: broker $VERSION jars already fetched ($LIBS)"
  exit 0
fi

mkdir -p "$DIR"
exec 9>"$DIR.lock"
flock 9
if [[ -f "$LIBS/.complete" ]]; then
  echo "kafka: broker $VERSION jars were fetched by another process"
  exit 0
fi

echo "kafka: fetching Kafka $VERSION broker jars from Maven Central with mvn"
start=$SECONDS
cat >"$DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>kafka-broker-fetch</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$VERSION</version></dependency>
    <!-- the broker logs through slf4j; reload4j is the log4j 1.x binding Kafka 3.x ships with -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
# Copy into a temp dir and rename, so an interrupted fetch never looks complete.
rm -rf "$LIBS" "$LIBS.tmp"
mvn -B -Dstyle.color=never -f "$DIR/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp"
touch "$LIBS.tmp/.complete"
mv "$LIBS.tmp" "$LIBS"
echo "kafka: fetched $(ls "$LIBS" | wc -l) jars in $((SECONDS - start))s"
