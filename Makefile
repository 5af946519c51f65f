# mod_portal — the whole interface: make run, make test (see README.md).
#
#   make deps     install what is missing (Debian packages, npm test clients)
#   make          build build/mod_portal.so and build/portalctl
#   make run      private PostgreSQL + Apache with demo data on :8080
#   make test     every suite: unit (+ASan/UBSan), fuzz smoke, integration, browser
#   make bench    benchmarks (never part of make test)
#   make fuzz     each fuzzer for FUZZ_SECONDS (default 600)
#   make install  into a Debian Apache, honouring DESTDIR and PREFIX

SHELL := /bin/bash
VERSION := 0.1.0
PREFIX ?= /usr/local
DATADIR ?= $(PREFIX)/share/mod_portal
SYSCONFDIR ?= /etc
STATEDIR ?= /var/lib/mod_portal
DBDPARAMS ?= host=127.0.0.1 port=5432 dbname=portal user=portal_app passfile=$(SYSCONFDIR)/mod_portal/pgpass connect_timeout=5 options='-c statement_timeout=10000'
DESTDIR ?=
PORT ?= 8080
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 20
SPEC_DIR ?= $(CURDIR)/../shared/mustache-spec
PYTHON := /usr/bin/python3

# Asked of the tools when a rule runs, not when make starts: on a fresh
# machine they exist only once `deps` has installed them.
APXS := apxs
APACHE_MODDIR = $(shell $(APXS) -q LIBEXECDIR 2>/dev/null)
APACHE_INC = $(shell $(APXS) -q INCLUDEDIR 2>/dev/null)
APACHE_CFLAGS = $(shell $(APXS) -q CFLAGS 2>/dev/null)
APR_INC = $(shell apr-1-config --includes 2>/dev/null) $(shell apu-1-config --includes 2>/dev/null)
APR_LIBS = $(shell apr-1-config --link-ld 2>/dev/null) $(shell apu-1-config --link-ld 2>/dev/null)
PG_INC = -I$(shell pg_config --includedir 2>/dev/null)

B := build
WARN := -Wall -Wextra -Werror
CPPFLAGS_ALL = -D_GNU_SOURCE -D_REENTRANT -DLINUX -DPORTAL_VERSION='"$(VERSION)"' \
    -I$(APACHE_INC) $(APR_INC) $(PG_INC) -Imod_portal -Imod_portal/core \
    $(foreach a,$(AREAS),-Imod_portal/$(a))
CFLAGS_ALL = $(APACHE_CFLAGS) -std=c11 $(WARN) -g -O2 -fPIC
EXT_LIBS := -lpq -ljansson -lcrypto -lsodium -lcurl -lqrencode
LIBS = $(APR_LIBS) $(EXT_LIBS)

# The library: rules and machinery without httpd, shared by the module,
# portalctl, the unit tests and the fuzzers: core/ but its mod_portal_*.c
# glue, and each area's *_rules.c (a decision on plain data and a pool).
AREAS := cabinet admin downloads webhooks licensing
RULES_SRC := $(foreach a,$(AREAS),$(wildcard mod_portal/$(a)/*_rules.c))
LIB_SRC := $(filter-out mod_portal/core/mod_portal_%.c,$(wildcard mod_portal/core/*.c)) \
    $(RULES_SRC)
# The httpd glue: the module record, core's mod_portal_*.c, the areas' pages.
GLUE_SRC := mod_portal/mod_portal.c $(wildcard mod_portal/core/mod_portal_*.c) \
    $(filter-out $(RULES_SRC),$(foreach a,$(AREAS),$(wildcard mod_portal/$(a)/*.c)))
CLI_SRC := $(wildcard mod_portal/cli/*.c)
HEADERS := $(shell find mod_portal -name '*.h')
SQL_FILES := $(sort $(wildcard sql/*.sql))
MIGRATIONS := $(sort $(wildcard sql/migrations/*.sql))
# Data the library reads, compiled in like the SQL: data/common-passwords.txt.
DATA_FILES := $(sort $(wildcard data/*.txt))

LIB_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRC)) $(B)/obj/embedded.o
GLUE_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(GLUE_SRC))
CLI_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(CLI_SRC))

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNIT_SRC))
UNIT_ASAN_BIN := $(patsubst tests/unit/%.c,$(B)/unit-asan/%,$(UNIT_SRC))
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_OBJ := $(patsubst %.c,$(B)/asan/%.o,$(LIB_SRC)) $(B)/asan/embedded.o

# Programs the integration tests drive against a real PostgreSQL: the library
# without httpd, linked like the unit tests.
ITEST_SRC := $(wildcard tests/integration/c/*.c)
ITEST_BIN := $(patsubst tests/integration/c/%.c,$(B)/itest/%,$(ITEST_SRC))

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
FUZZ_OBJ := $(patsubst %.c,$(B)/fuzzlib/%.o,$(LIB_SRC)) $(B)/fuzzlib/embedded.o
FUZZ_FLAGS := -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer

# Keep the objects of every flavour between runs.
.SECONDARY:

.PHONY: all deps deps-build deps-test run test test-unit test-unit-asan test-fuzz \
    test-integration test-browser bench fuzz install clean

all: deps-build $(B)/mod_portal.so $(B)/portalctl

deps: deps-test
deps-build:
	@tools/deps.sh build
deps-test:
	@tools/deps.sh test
	@tools/npm-deps.sh tests/browser

# --- build -------------------------------------------------------------------

$(B)/embed: tools/embed.c
	@mkdir -p $(@D)
	@gcc -std=c11 $(WARN) -O2 -o $@ $<

CONF_FILES := conf/roles.json

$(B)/embedded.c: $(B)/embed $(SQL_FILES) $(MIGRATIONS) $(CONF_FILES) $(DATA_FILES) \
    mod_portal/core/embedded.h
	@mkdir -p $(@D)
	@{ echo '#include "embedded.h"'; \
	  $(B)/embed portal_sql_files $(SQL_FILES); \
	  $(B)/embed portal_migration_files $(MIGRATIONS); \
	  $(B)/embed portal_conf_files $(CONF_FILES); \
	  $(B)/embed portal_data_files $(DATA_FILES); } > $@.tmp && mv $@.tmp $@

$(B)/obj/embedded.o: $(B)/embedded.c
	@gcc $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c -o $@ $<

$(B)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "  CC $<"
	@gcc $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c -o $@ $<

# Linked by apxs (libtool), with Apache's own link flags.
$(B)/mod_portal.so: $(GLUE_OBJ) $(LIB_OBJ)
	@echo "  LD $@ (apxs)"
	@mkdir -p $(B)/apxs
	@$(APXS) -c -o $(B)/apxs/mod_portal.la $^ $(EXT_LIBS) >$(B)/apxs/link.log 2>&1 \
	  || { cat $(B)/apxs/link.log; exit 1; }
	@# Replaced, never rewritten in place: a running test Apache has it mapped.
	@cp $(B)/apxs/.libs/mod_portal.so $@.tmp && mv -f $@.tmp $@

$(B)/portalctl: $(CLI_OBJ) $(LIB_OBJ)
	@echo "  LD $@"
	@gcc -o $@ $^ $(LIBS)

# --- run ---------------------------------------------------------------------

run: all
	@$(PYTHON) tools/run.py $(PORT)

# --- tests -------------------------------------------------------------------

test: deps-test all
	@$(MAKE) --no-print-directory test-unit test-unit-asan test-fuzz test-integration test-browser
	@echo "make test: every suite passed"

$(B)/unit/%: tests/unit/%.c $(LIB_OBJ) tests/unit/check.h
	@mkdir -p $(@D)
	@gcc $(CPPFLAGS_ALL) $(CFLAGS_ALL) -o $@ $< $(LIB_OBJ) $(LIBS)

$(B)/asan/embedded.o: $(B)/embedded.c
	@mkdir -p $(@D)
	@clang $(CPPFLAGS_ALL) -std=c11 $(WARN) -g -O1 $(SAN) -c -o $@ $<

$(B)/asan/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	@clang $(CPPFLAGS_ALL) -std=c11 $(WARN) -g -O1 $(SAN) -c -o $@ $<

$(B)/unit-asan/%: tests/unit/%.c $(ASAN_OBJ) tests/unit/check.h
	@mkdir -p $(@D)
	@clang $(CPPFLAGS_ALL) -std=c11 $(WARN) -g -O1 $(SAN) -o $@ $< $(ASAN_OBJ) $(LIBS)

test-unit: deps-build $(UNIT_BIN)
	@tools/run-suite.sh "unit" $(SPEC_DIR) $(UNIT_BIN)

test-unit-asan: deps-test $(UNIT_ASAN_BIN)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  tools/run-suite.sh "unit (ASan+UBSan)" $(SPEC_DIR) $(UNIT_ASAN_BIN)

$(B)/fuzzlib/embedded.o: $(B)/embedded.c
	@mkdir -p $(@D)
	@clang $(CPPFLAGS_ALL) -std=c11 $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(B)/fuzzlib/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	@clang $(CPPFLAGS_ALL) -std=c11 $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(@D)
	@clang $(CPPFLAGS_ALL) -std=c11 $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< \
	  $(FUZZ_OBJ) $(LIBS)

test-fuzz: deps-test $(FUZZ_BIN)
	@tools/fuzz.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_BIN)

fuzz: deps-test $(FUZZ_BIN)
	@tools/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

$(B)/itest/%: tests/integration/c/%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  LD $@"
	@gcc $(CPPFLAGS_ALL) $(CFLAGS_ALL) -o $@ $< $(LIB_OBJ) $(LIBS)

test-integration: deps-test all $(ITEST_BIN)
	@cd tests/integration && $(PYTHON) -m pytest -q -p no:cacheprovider

test-browser: deps-test all
	@$(PYTHON) tests/browser/run.py

bench: deps-test all
	@$(PYTHON) tests/bench/run.py

# --- install -----------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(APACHE_MODDIR) $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(DATADIR) $(DESTDIR)$(SYSCONFDIR)/apache2/mods-available \
	  $(DESTDIR)$(SYSCONFDIR)/apache2/conf-available $(DESTDIR)$(STATEDIR)/storage
	install -m 0644 $(B)/mod_portal.so $(DESTDIR)$(APACHE_MODDIR)/mod_portal.so
	install -m 0755 $(B)/portalctl $(DESTDIR)$(PREFIX)/bin/portalctl
	rm -rf $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(DATADIR)/htdocs
	cp -R templates htdocs $(DESTDIR)$(DATADIR)/
	find $(DESTDIR)$(DATADIR) -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
	sed 's|@MODDIR@|$(APACHE_MODDIR)|' conf/portal.load \
	  > $(DESTDIR)$(SYSCONFDIR)/apache2/mods-available/portal.load
	sed -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	  -e 's|@STATEDIR@|$(STATEDIR)|g' -e "s|@DBDPARAMS@|$(DBDPARAMS)|g" conf/portal.conf \
	  > $(DESTDIR)$(SYSCONFDIR)/apache2/conf-available/portal.conf
	@if [ -z "$(DESTDIR)" ] && id www-data >/dev/null 2>&1; then \
	  chown www-data: $(STATEDIR)/storage && chmod 0750 $(STATEDIR)/storage; fi
	@echo "installed; next: portalctl secret $(SYSCONFDIR)/mod_portal/secret, a2enmod portal, and Include $(SYSCONFDIR)/apache2/conf-available/portal.conf in the portal's VirtualHost (see README.md)"

clean:
	rm -rf $(B)
