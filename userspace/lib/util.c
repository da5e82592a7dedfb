// SPDX-License-Identifier: GPL-2.0
/* libelastic: parsing helpers. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/elastic.h>
#include <linux/netlink.h>

#include "elastic.h"

/* Strict decimal: no sign, no spaces, no trailing junk, no overflow. */
int elastic_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

/*
 * Seconds with up to three decimals ("2", "0.5", "1.25") into milliseconds,
 * strict as elastic_parse_u32: no sign, no exponent, no trailing junk.
 */
int elastic_parse_seconds_ms(const char *s, uint32_t min_ms, uint32_t max_ms, uint32_t *ms)
{
	unsigned long long v = 0;
	int decimals = -1;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	for (; *s; s++) {
		if (*s == '.' && decimals < 0 && s[1]) {
			decimals = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || decimals >= 3)
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (decimals >= 0)
			decimals++;
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	for (decimals = decimals < 0 ? 0 : decimals; decimals < 3; decimals++)
		v *= 10;
	if (v < min_ms || v > max_ms)
		return -ERANGE;
	*ms = (uint32_t)v;
	return 0;
}

int elastic_parse_addr(const char *s, uint16_t default_port, uint32_t *addr, uint16_t *port)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strchr(s, ':');
	struct in_addr a;
	uint32_t p = default_port;
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	if (n == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, &a) != 1)
		return -EINVAL;
	if (colon && elastic_parse_u32(colon + 1, 1, 65535, &p))
		return -EINVAL;
	*addr = a.s_addr;
	*port = (uint16_t)p;
	return 0;
}

int elastic_extack_msg(const void *nlmsg, size_t len, char *buf, size_t size)
{
	const struct nlmsghdr *nlh = nlmsg;
	const struct nlmsgerr *err;
	const struct nlattr *a;
	size_t off;

	if (size)
		buf[0] = '\0';
	if (len < NLMSG_HDRLEN + sizeof(int) || nlh->nlmsg_len > len ||
	    !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* The end of a dump: its errno, then the TLVs. */
		off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int));
	} else if (nlh->nlmsg_type == NLMSG_ERROR && len >= NLMSG_HDRLEN + sizeof(*err)) {
		err = NLMSG_DATA(nlh);
		/* TLVs follow the error, and the echoed request unless capped. */
		off = NLMSG_HDRLEN + sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (err->msg.nlmsg_len < NLMSG_HDRLEN)
				return 0;
			off += NLMSG_ALIGN(err->msg.nlmsg_len) - NLMSG_HDRLEN;
		}
	} else {
		return 0;
	}
	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		a = (const struct nlattr *)((const char *)nlmsg + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nlh->nlmsg_len)
			return 0;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && size) {
			size_t n = a->nla_len - NLA_HDRLEN;
			const char *s = (const char *)a + NLA_HDRLEN;

			n = strnlen(s, n);
			if (n >= size)
				n = size - 1;
			memcpy(buf, s, n);
			buf[n] = '\0';
			return n > 0;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

/* "1,2,5-7": node ids 1..ELASTIC_MAX_NODE_ID as a bitmap (bit N: node N). */
int elastic_parse_nodes(const char *s, uint64_t *bitmap)
{
	uint64_t b = 0;
	char buf[256], *tok, *save, *dash;
	uint32_t lo, hi;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		if (elastic_parse_u32(tok, 1, ELASTIC_MAX_NODE_ID, &lo))
			return -EINVAL;
		hi = lo;
		if (dash && (elastic_parse_u32(dash + 1, lo, ELASTIC_MAX_NODE_ID, &hi)))
			return -EINVAL;
		for (; lo <= hi; lo++)
			b |= 1ULL << lo;
	}
	if (!b || s[strlen(s) - 1] == ',' || s[0] == ',' || strstr(s, ",,"))
		return -EINVAL;
	*bitmap = b;
	return 0;
}

/* "4096", "64K", "512M", "2G" (powers of 1024) into bytes. */
int elastic_parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1ULL << 10;
		break;
	case 'm': case 'M':
		mult = 1ULL << 20;
		break;
	case 'g': case 'G':
		mult = 1ULL << 30;
		break;
	case 't': case 'T':
		mult = 1ULL << 40;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
		return -EINVAL;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*bytes = v * mult;
	return 0;
}
