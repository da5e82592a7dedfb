# SpotOS: one process's memory over many cheap cloud spot VMs.
#
#   make demo     install what is needed, build, boot a 3-node cluster, show it
#   make check    the whole test suite
#   make          build everything (kernel, module, userspace, ec)
#
# Other targets: kernel module userspace ec netlink-gen patches lint deb
# check-debug bench clean.  See docs/developer-guide.md.

TOP := $(CURDIR)
KBUILD := $(TOP)/build/kernel
KMAKE = $(MAKE) -s -C $(TOP)/linux O=$(KBUILD) LOCALVERSION=
YNL := /usr/bin/python3 $(TOP)/linux/tools/net/ynl/ynl-gen-c.py
SPEC := netlink/specs/elastic.yaml
# The generated files and the generator mode that makes each.
GEN := module/nl-gen.h:kernel:--header module/nl-gen.c:kernel:--source \
       include/uapi/linux/elastic.h:uapi:--header

USERSPACE := userspace/lib userspace/elasticctl userspace/agent tests tests/bench
ifneq ($(wildcard userspace/elasticd/Makefile),)
USERSPACE += userspace/elasticd
endif
HAVE_EC := $(wildcard ec/Makefile)

.PHONY: all deps kernel-src kernel module userspace ec netlink-gen netlink-check \
	patches lint checkpatch sparse kernel-doc layers deb check check-debug demo bench clean

all: kernel module userspace $(if $(HAVE_EC),ec)

deps:
	@scripts/install-deps

kernel-src: deps
	@scripts/kernel-src

kernel: kernel-src
	@scripts/build-kernel qemu

module: kernel
	@$(KMAKE) M=$(TOP) modules

userspace: deps
	@for d in $(USERSPACE); do $(MAKE) -s -C $$d || exit 1; done

ec: deps
	@$(MAKE) -s -C ec

# Regenerate the netlink code from the YAML spec.
netlink-gen: kernel-src
	@for g in $(GEN); do set -- $$(echo $$g | tr : ' '); \
		$(YNL) --mode $$2 $$3 --spec $(SPEC) -o $$1 || exit 1; done

# Fail when the generated files differ from what the spec gives.
netlink-check: kernel-src
	@tmp=$$(mktemp -d); rc=0; \
	for g in $(GEN); do set -- $$(echo $$g | tr : ' '); \
		out=$$tmp/$$(basename $$1); \
		$(YNL) --mode $$2 $$3 --spec $(SPEC) -o $$out >/dev/null || exit 1; \
		cmp -s $$out $$1 || { echo "netlink-check: $$1 is stale: run 'make netlink-gen'"; rc=1; }; \
	done; rm -rf $$tmp; exit $$rc

# Export linux/ commits on top of the pristine tree to patches/.
patches:
	@scripts/regen-patches

lint: checkpatch sparse kernel-doc layers

kernel-doc layers: kernel-src
	@scripts/lint $@

checkpatch: kernel-src
	@scripts/lint checkpatch

sparse: kernel
	@scripts/lint sparse

# Debian packages of the cloud kernel (spotos + cloud + qemu fragments).
deb: kernel-src deps
	@scripts/build-kernel cloud bindeb-pkg
	@scripts/build-tools-deb build >/dev/null
	@ls -1 build/*.deb

check:
	@scripts/check

check-debug:
	@scripts/check --debug

demo:
	@scripts/demo

bench: all
	@scripts/bench-elastic
	@scripts/bench-fault
	@scripts/bench-swap
	@$(if $(HAVE_EC),$(MAKE) -s -C ec bench,true)

clean:
	-@$(KMAKE) M=$(TOP) clean 2>/dev/null
	@for d in $(USERSPACE) userspace/tests tests; do [ -f $$d/Makefile ] && $(MAKE) -s -C $$d clean; done; true
	@$(if $(HAVE_EC),$(MAKE) -s -C ec clean)
	rm -rf build
