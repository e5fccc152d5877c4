# Sonde's front door. `make run` and `make test` install what is missing, build, and run.
SHELL := /bin/bash
MVN_FLAGS ?= -q -B -Dstyle.color=never
MVN := mvn $(MVN_FLAGS)

.PHONY: all deps build jar run test bench clean

all: build

## deps: install the Debian packages and check for a Java 22+ JDK and kernel BTF
deps:
	@build/setup.sh

## build: compile the BPF programs and the Java modules, package the command line
build: deps
	@$(MAKE) --no-print-directory jar

jar:
	@export JAVA_HOME=$$(build/java-home.sh) && $(MVN) install -DskipTests

## run: build once, then run the main job with its defaults
run: build
	@bin/sonde agent

## test: the whole suite, kernel tests included (they need root and a BPF-capable kernel)
test: deps
	@export JAVA_HOME=$$(build/java-home.sh) && mvn -B -ntp -Dstyle.color=never install

## bench: the benchmarks, results in bench/RESULTS.md
bench: build
	@bench/run.sh

clean:
	@export JAVA_HOME=$$(build/java-home.sh) && $(MVN) clean
