// SPDX-License-Identifier: GPL-2.0
/*
 * jumpwork: programs whose threads jump (tests/memory/5N-jump-*.sh).
 *
 *   jumpwork loop SIZE PASSES NODE [ret|syscall|text]
 *
 * Stretches itself over this node and NODE, maps SIZE bytes of anonymous
 * memory and fills them, and one page more for a gate word; copies a
 * summing loop (position independent, no stack, no call) into an anonymous
 * executable page, and points its GS base into the data.  It runs the loop
 * once here and prints "expect SUM"; then pushes the data, the gate and the
 * loop's page to NODE (nothing else: the rest stays locked at home), prints
 * "gate ADDR" and "ready PID", waits for a line on stdin, prints "looping"
 * and runs the loop again: it waits in user mode until the gate word is
 * not 0, then makes PASSES passes over the data, with sums held in SSE
 * registers and one read through %gs per pass.  A forced jump
 * (`elasticctl process jump`) moves the thread to NODE while it waits; the
 * test opens the gate there (debugfs shadow_poke), where every page the
 * loop touches is.  It comes back home the way the last argument says
 * (default ret): when the loop returns (its stack is at home), at a
 * getpid() system call ("getpid P of Q": P what the call returned, Q the
 * pid), or at a jump into the program's text ("after ran 1").  Prints
 * "pulls N" (pages the home pulled meanwhile), then "got SUM" and "ok"
 * when the two sums are equal, "bad" otherwise.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "elastic.h"

#define PAGE 4096UL

/*
 * sum = f(data, n u64s (a multiple of 4), passes, gate, how, after); rdi,
 * rsi, rdx, rcx, r8, r9.  With a @gate, it first waits until the u64 there
 * is not 0, touching nothing else: time for a jump to land, as long as the
 * test needs, which then opens the gate where the thread runs.  Then it
 * sums, and
 * leaves as @how says: JW_RET returns (its stack is the first thing it
 * touches away from its data), JW_SYSCALL makes getpid() first and stores
 * the pid through %gs at data[2], JW_TEXT jumps (no call: no stack) to
 * @after, a function of the program's file-backed text, with the sum as
 * its argument, which returns for it.
 */
enum { JW_RET, JW_SYSCALL, JW_TEXT };
typedef uint64_t (*jw_fn)(const uint64_t *, uint64_t, uint64_t, const volatile uint64_t *,
			  uint64_t, uint64_t (*)(uint64_t));
uint64_t jw_loop(const uint64_t *p, uint64_t n, uint64_t passes, const uint64_t *gate,
		 uint64_t how, uint64_t (*after)(uint64_t));
extern const char jw_loop_end[];
asm(".text\n"
    ".globl jw_loop\n"
    ".globl jw_loop_end\n"
    "jw_loop:\n"
    "	mov %r8, %r10\n"		/* the loop uses r8 and r9 */
    "	mov %r9, %r11\n"
    "	test %rcx, %rcx\n"
    "	jz 3f\n"
    "4:	pause\n"
    "	cmpq $0, (%rcx)\n"
    "	je 4b\n"
    "3:	pxor %xmm0, %xmm0\n"
    "	pxor %xmm1, %xmm1\n"
    "	xor %eax, %eax\n"
    "1:	mov %rdi, %r8\n"
    "	mov %rsi, %r9\n"
    "2:	movdqu (%r8), %xmm2\n"
    "	paddq %xmm2, %xmm0\n"
    "	movdqu 16(%r8), %xmm3\n"
    "	pxor %xmm3, %xmm1\n"
    "	paddq %xmm0, %xmm1\n"
    "	add $32, %r8\n"
    "	sub $4, %r9\n"
    "	jnz 2b\n"
    "	add %gs:8, %rax\n"
    "	rol $7, %rax\n"
    "	dec %rdx\n"
    "	jnz 1b\n"
    "	movq %xmm0, %rcx\n"
    "	add %rcx, %rax\n"
    "	pextrq $1, %xmm0, %rcx\n"
    "	xor %rcx, %rax\n"
    "	movq %xmm1, %rcx\n"
    "	add %rcx, %rax\n"
    "	pextrq $1, %xmm1, %rcx\n"
    "	xor %rcx, %rax\n"
    "	cmp $1, %r10\n"
    "	je 5f\n"
    "	cmp $2, %r10\n"
    "	je 6f\n"
    "	ret\n"
    "5:	mov %rax, %r10\n"
    "	mov $39, %eax\n"		/* __NR_getpid */
    "	syscall\n"
    "	mov %rax, %gs:16\n"
    "	mov %r10, %rax\n"
    "	ret\n"
    "6:	mov %rax, %rdi\n"
    "	jmp *%r11\n"
    "jw_loop_end:\n");

static volatile int after_ran;

/* JW_TEXT's way out: text the member does not map (stage 1). */
static uint64_t jw_after(uint64_t sum)
{
	after_ran++;
	return sum;
}

/* This process's pulls so far (/proc/self/elastic), 0 if not stretched. */
static uint64_t my_pulls(void)
{
	unsigned long long v = 0;
	char line[128];
	FILE *f = fopen("/proc/self/elastic", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "pulls: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int usage(void)
{
	fprintf(stderr, "usage: jumpwork loop SIZE PASSES NODE [ret|syscall|text]\n");
	return 2;
}

static int loop(int argc, char **argv)
{
	uint64_t size, passes, pushed, expect, got, *data, n, i;
	uint64_t pulls, how = JW_RET, *gate;
	jw_fn fn;
	size_t code = (size_t)(jw_loop_end - (const char *)jw_loop);
	struct elastic_client *c;
	uint32_t node;
	char line[16];
	void *x;
	int ret;

	if (argc == 5 && !strcmp(argv[4], "syscall"))
		how = JW_SYSCALL;
	else if (argc == 5 && !strcmp(argv[4], "text"))
		how = JW_TEXT;
	else if (argc == 5 && strcmp(argv[4], "ret"))
		return usage();
	if (argc < 4 || argc > 5 || elastic_parse_size(argv[1], &size) || size < PAGE ||
	    elastic_parse_size(argv[2], &passes) || !passes ||
	    elastic_parse_u32(argv[3], 1, 63, &node))
		return usage();
	size &= ~(PAGE - 1);
	n = size / sizeof(uint64_t);
	/* The data, and after it a page for the gate, which is not summed. */
	data = mmap(NULL, size + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	x = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (data == MAP_FAILED || x == MAP_FAILED) {
		perror("jumpwork: mmap");
		return 1;
	}
	for (i = 0; i < n; i++)
		data[i] = i * 0x9e3779b97f4a7c15ULL ^ (i >> 3);
	gate = data + n;
	*gate = 0;
	memcpy(x, (const void *)jw_loop, code);
	fn = (jw_fn)x;
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)data)) {
		perror("jumpwork: arch_prctl");
		return 1;
	}
	expect = fn(data, n, passes, NULL, JW_RET, NULL);
	printf("expect %llu\n", (unsigned long long)expect);
	fflush(stdout);

	ret = elastic_open(&c);
	if (!ret)
		ret = elastic_process_stretch(c, getpid(), 1ULL << node, 0);
	if (ret) {
		fprintf(stderr, "jumpwork: stretch: %s\n", strerror(-ret));
		return 1;
	}
	/* Only the data and the loop go: everything else stays home, locked. */
	if (mlockall(MCL_CURRENT) || munlock(data, size + PAGE) || munlock(x, PAGE)) {
		perror("jumpwork: mlock");
		return 1;
	}
	ret = elastic_process_push(c, getpid(), node, 1UL << 30, &pushed);
	if (ret || pushed != size / PAGE + 2) {
		fprintf(stderr, "jumpwork: pushed %llu of %llu pages to %u: %s\n",
			(unsigned long long)pushed, (unsigned long long)(size / PAGE + 2), node,
			strerror(-ret));
		return 1;
	}
	elastic_close(c);
	printf("gate %p\nready %d\n", (void *)gate, getpid());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	pulls = my_pulls();
	printf("looping\n");
	fflush(stdout);
	got = fn(data, n, passes, gate, how, jw_after);
	printf("pulls %llu\n", (unsigned long long)(my_pulls() - pulls));
	if (how == JW_SYSCALL)
		printf("getpid %llu of %d\n", (unsigned long long)data[2], getpid());
	if (how == JW_TEXT)
		printf("after ran %d\n", after_ran);
	printf("got %llu\n%s\n", (unsigned long long)got, got == expect ? "ok" : "bad");
	return got != expect;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "loop"))
		return loop(argc - 1, argv + 1);
	return usage();
}
