#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft: broker and controller in one JVM) on 127.0.0.1:9092,
# for development and CI, without Docker. The broker's jars come from Maven Central into a cache
# outside the repository; its data and logs live under the same cache.
#
#   scripts/kafka.sh start    fetch (first time), format (first time), start, wait until it answers
#   scripts/kafka.sh stop     stop the broker this script started
#   scripts/kafka.sh status   running or not, and where
#
# IAMGRAPH_KAFKA_HOME (default ~/.cache/iamgraph/kafka), IAMGRAPH_KAFKA_VERSION (default 4.1.1),
# IAMGRAPH_KAFKA_PORT (default 9092; the controller listens on the port after it).
set -euo pipefail

home="${IAMGRAPH_KAFKA_HOME:-$HOME/.cache/iamgraph/kafka}"
version="${IAMGRAPH_KAFKA_VERSION:-4.1.1}"
port="${IAMGRAPH_KAFKA_PORT:-9092}"
controller_port=$((port + 1))
libs="$home/$version/libs"
data="$home/data-$port"
pidfile="$home/kafka-$port.pid"
logfile="$home/kafka-$port.log"
props="$home/server-$port.properties"

running() {
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

answers() {
  # The broker accepts TCP only once its listener is up; KRaft opens it after the metadata log loads.
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

fetch() {
  [[ -f "$libs/.complete" ]] && return
  echo "== fetching Apache Kafka $version with Maven into $libs"
  mkdir -p "$libs"
  local pom
  pom="$(mktemp -d)/pom.xml"
  # A throwaway project whose only purpose is to name the broker and a logging backend.
  cat >"$pom" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>iamgraph</groupId><artifactId>kafka-broker</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
EOF
  mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs"
  rm -rf "$(dirname "$pom")"
  touch "$libs/.complete"
  echo "== $(ls "$libs"/*.jar | wc -l) jars"
}

configure() {
  mkdir -p "$data"
  cat >"$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  cat >"$home/log4j.properties" <<EOF
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$logfile
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.KafkaRaftServer=INFO
EOF
  if [[ ! -f "$data/meta.properties" ]]; then
    local id
    id="$(java -Dlog4j.configuration="file:$home/log4j.properties" -cp "$libs/*" kafka.tools.StorageTool random-uuid)"
    # No --standalone: the voter is named in controller.quorum.voters (static quorum).
    java -Dlog4j.configuration="file:$home/log4j.properties" -cp "$libs/*" kafka.tools.StorageTool format -t "$id" -c "$props" >/dev/null
  fi
}

start() {
  if running; then
    echo "kafka already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"
    return
  fi
  if answers; then
    echo "something else already listens on 127.0.0.1:$port; not starting a second broker" >&2
    exit 1
  fi
  command -v java >/dev/null || { echo "java is required (17 or later)" >&2; exit 1; }
  fetch
  configure
  echo "== starting kafka on 127.0.0.1:$port (log: $logfile)"
  nohup java -Xmx512m -Xms256m -XX:+UseG1GC -Dlog4j.configuration="file:$home/log4j.properties" \
    -cp "$libs/*" kafka.Kafka "$props" >>"$logfile.out" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if answers; then
      echo "kafka is up (pid $(cat "$pidfile")) on 127.0.0.1:$port"
      return
    fi
    if ! running; then
      echo "kafka exited during start; last lines of $logfile.out:" >&2
      tail -n 30 "$logfile.out" >&2
      rm -f "$pidfile"
      exit 1
    fi
    sleep 0.5
  done
  echo "kafka did not answer on 127.0.0.1:$port within 60 s" >&2
  exit 1
}

stop() {
  if ! running; then
    echo "kafka is not running"
    rm -f "$pidfile"
    return
  fi
  local pid
  pid="$(cat "$pidfile")"
  kill "$pid"
  # A controlled shutdown flushes the logs; give it time before forcing.
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$pidfile"
  echo "kafka stopped"
}

status() {
  if running; then
    echo "kafka running (pid $(cat "$pidfile")) on 127.0.0.1:$port; home $home"
  else
    echo "kafka not running; home $home"
    return 3
  fi
}

mkdir -p "$home"
case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
