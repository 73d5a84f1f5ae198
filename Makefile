# mfakit: `make` builds ./mfakit; `make test` runs every test (starting the
# local emulator it needs); see README.md for the rest.
PKGS      := lua5.4 libcurl libcjson openssl expat
BUILD     ?= build
BIN       ?= mfakit
PREFIX    ?= /usr/local
CFLAGS    ?= -O2 -g
SAN       := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# our flags live apart from CFLAGS, so `make CFLAGS=...` cannot drop them
MF_CFLAGS  = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
             -Wshadow -Wstrict-prototypes -Isrc $(shell pkg-config --cflags $(PKGS)) $(CFLAGS)
# libcurl is compiled against but loaded on first use (src/curl_lazy.h)
LDLIBS    += $(shell pkg-config --libs $(filter-out libcurl,$(PKGS))) -ldl -lm
LUA_SRC   := $(shell find lua -name '*.lua' | sort)
OBJ       := $(patsubst src/%.c,$(BUILD)/%.o,$(wildcard src/*.c)) $(BUILD)/bundle.o

DOCS_OUT  := $(BUILD)/gen
DESTROOT   = $(DESTDIR)$(PREFIX)

.PHONY: all docs test check asan valgrind lint fmt bench install uninstall deb deps clean demo vectors fuzz

all: $(BIN) docs

$(BIN): $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(MF_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/bundle.c: $(BUILD)/embed $(LUA_SRC)
	$(BUILD)/embed $(LUA_SRC) > $@.tmp && mv $@.tmp $@

$(BUILD)/bundle.o: $(BUILD)/bundle.c
	$(CC) $(MF_CFLAGS) -c -o $@ $<

$(BUILD)/embed: tools/embed.c | $(BUILD)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD):
	mkdir -p $@

# The man pages and the bash/zsh completion, made by the built mfakit from
# its commands' declarations (mfakit help --man, --completion).
docs: $(DOCS_OUT)/man/mfakit.1

$(DOCS_OUT)/man/mfakit.1: $(BIN) tools/gen-docs
	tools/gen-docs ./$(BIN) $(DOCS_OUT)

# Every test: `mfakit test` (mfakit runs its own tests) against local servers
# and moto.
test: $(BIN)
	tests/run-all ./$(BIN)

# The fast lane: the same tests, on `mfakit test` in two shards, with no
# server and no emulator (the cases that need one skip themselves), for the
# edit-build-test loop.
check: $(BIN)
	tests/run-fast ./$(BIN)

asan:
	$(MAKE) BUILD=build-asan BIN=mfakit-asan CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" mfakit-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    tests/run-all ./mfakit-asan

valgrind: $(BIN)
	MFAKIT_VALGRIND=1 tests/run-all ./$(BIN)

lint:
	tools/check-layers
	luacheck -q lua scripts tests bench
	clang-format --dry-run --Werror src/*.c src/*.h tools/*.c
	@! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok)\s*\(' src/*.c src/*.h tools/*.c
	tools/check-refs

fmt:
	clang-format -i src/*.c src/*.h tools/*.c

bench: $(BIN)
	bench/run ./$(BIN)

# The binary, the shipped scripts (found by `mfakit run` relative to the
# binary: PREFIX/share/mfakit/scripts), the docs, the man pages and the
# completion. DESTDIR stages it elsewhere (make deb does).
install: $(BIN) docs
	tools/install-tree ./$(BIN) $(DOCS_OUT) $(DESTROOT)

uninstall:
	rm -f $(DESTROOT)/bin/mfakit $(DESTROOT)/share/man/man1/mfakit.1 $(DESTROOT)/share/man/man1/mfakit-*.1 \
	    $(DESTROOT)/share/bash-completion/completions/mfakit $(DESTROOT)/share/zsh/site-functions/_mfakit
	rm -rf $(DESTROOT)/share/mfakit $(DESTROOT)/share/doc/mfakit

# A Debian package (dpkg-deb) in $(BUILD)/: tools/make-deb says what it depends on.
deb: $(BIN) docs
	tools/make-deb ./$(BIN) $(DOCS_OUT) $(BUILD)

# Regenerates the known-answer vectors from implementations we did not
# write (npm packages: amazon-cognito-identity-js, @smithy/signature-v4;
# Node's own base64), then the AWS shape hints from botocore's models.
vectors:
	cd tests/oracle && npm install --no-audit --no-fund && node gen_sigv4.js && node gen_srp.js && node gen_base64.js
	python3 tools/gen_aws_hints.py

# libFuzzer targets (clang); see fuzz/README.md.
fuzz:
	fuzz/build

# Build and test dependencies, from Debian's packages.
deps:
	tools/install-deps

# The README's main job: the whole guide on a local emulator.
demo: $(BIN)
	./$(BIN) --local scripts/demo.lua

clean:
	rm -rf build build-asan mfakit mfakit-asan

-include $(OBJ:.o=.d)
