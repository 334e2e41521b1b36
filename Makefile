# The two commands of the README: `make run` and `make test`. Both install what they need first.
# Cargo builds go to a target folder outside the clone, so repeat runs on one machine are quick.

export CARGO_TARGET_DIR ?= $(HOME)/.cache/casenotes/target
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run test build deps package
run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

build:
	@bash scripts/build.sh

deps:
	@bash scripts/install-deps.sh

# The Debian package (.deb) of the desktop app and the command line tool, built in release.
package:
	@bash scripts/package.sh
