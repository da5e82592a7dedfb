// SPDX-License-Identifier: GPL-2.0
/*
 * elasticctl process map: where a process's pages are, as text, JSON or an
 * SVG picture, from one process-map reply of the module.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elasticctl.h"

#define MAP_MAX_WIDTH 400	/* cells per row at most */

/* A node's mark in the map: 1-9, then a-z, A-Z for ids 10-63. */
static char node_mark(int id)
{
	if (id < 10)
		return '0' + id;
	if (id < 36)
		return 'a' + id - 10;
	return 'A' + id - 36;
}

#define MAP_HERE	0	/* a cell's holder: most of its present pages are here */
#define MAP_NONE	(-1)	/* a cell's holder: none of its pages is present */

/* One mapping with pages present: who holds each cell, and page counts. */
struct map_row {
	unsigned long long start, end;
	unsigned long long local;
	uint64_t remote[ELASTIC_NODE_IDS];
	int cells;
	signed char holder[MAP_MAX_WIDTH];	/* MAP_NONE, MAP_HERE or a node id */
};

/* A process's pages, from one process-map reply. */
struct page_map {
	unsigned int pid;
	char comm[20];
	uint32_t node_id;	/* this node's */
	unsigned long long local;
	uint64_t remote[ELASTIC_NODE_IDS];
	int nrows;
	struct map_row *rows;
};

/*
 * Fill @r for mapping @mp: each cell goes to who holds most of its pages
 * (this node on a tie, then the lowest id).  Return the pages present,
 * here or remote.
 */
static unsigned long long map_scan_row(const struct elastic_mapping *mp, uint32_t self,
				       int width, struct map_row *r)
{
	unsigned long long npages = (mp->end - mp->start) / ELASTIC_PAGE_SIZE, cell, present = 0;
	int i;

	r->start = mp->start;
	r->end = mp->end;
	r->cells = npages < (unsigned long long)width ? (int)npages : width;
	for (cell = 0; cell < (unsigned long long)r->cells; cell++) {
		unsigned long long first = cell * npages / r->cells;
		unsigned long long last = (cell + 1) * npages / r->cells;
		uint64_t cnt[ELASTIC_NODE_IDS] = { 0 };
		unsigned long long here, best = 0;
		int bestn = 0;

		elastic_mapping_count(mp, first, last - first, cnt);
		/* Resident pages carry this node's id (0 while it has none). */
		here = cnt[0] + (self ? cnt[self] : 0);
		for (i = 1; i < ELASTIC_NODE_IDS; i++) {
			if ((uint32_t)i == self)
				continue;
			if (cnt[i] > best) {
				best = cnt[i];
				bestn = i;
			}
			r->remote[i] += cnt[i];
			present += cnt[i];
		}
		r->local += here;
		present += here;
		r->holder[cell] = best > here ? bestn : here ? MAP_HERE : MAP_NONE;
	}
	return present;
}

/* The next row of @m, zeroed; NULL when out of memory. */
static struct map_row *map_new_row(struct page_map *m, int *cap)
{
	struct map_row *r;

	if (m->nrows == *cap) {
		r = realloc(m->rows, (*cap ? 2 * *cap : 64) * sizeof(*r));
		if (!r)
			return NULL;
		m->rows = r;
		*cap = *cap ? 2 * *cap : 64;
	}
	r = &m->rows[m->nrows];
	memset(r, 0, sizeof(*r));
	return r;
}

/*
 * Ask the module where the pages of process @pid are (process-map: the
 * caller needs ptrace read rights over it, as for /proc/PID/maps) and
 * fill @m: one row per mapping that has pages present.  Text, JSON and
 * SVG are drawn from this one reply, so that they agree with each other.
 */
static int map_scan(uint32_t pid, int width, struct page_map *m)
{
	struct elastic_process_map pm = {};
	struct elastic_status st;
	struct elastic_client *c;
	struct map_row *r;
	int cap = 0, ret, i;
	size_t k;

	memset(m, 0, sizeof(*m));
	if (ctl_open(&c, "map"))
		return 1;
	ret = elastic_status_get(c, &st);
	if (!ret)
		ret = elastic_process_map(c, pid, &pm);
	if (ret) {
		ret = process_fail(c, "map", pid, ret);
		elastic_close(c);
		elastic_process_map_free(&pm);
		return ret;
	}
	elastic_close(c);
	m->pid = pid;
	m->node_id = st.node_id;
	read_comm(pid, m->comm, sizeof(m->comm));
	for (k = 0; k < pm.nmappings; k++) {
		r = map_new_row(m, &cap);
		if (!r) {
			fprintf(stderr, "%s: map: out of memory\n", prog);
			free(m->rows);
			m->rows = NULL;
			ret = 1;
			break;
		}
		if (!map_scan_row(&pm.mappings[k], st.node_id, width, r))
			continue;	/* nothing present: not drawn */
		for (i = 1; i < 64; i++)
			m->remote[i] += r->remote[i];
		m->local += r->local;
		m->nrows++;
	}
	elastic_process_map_free(&pm);
	return ret;
}

static void map_print_text(const struct page_map *m)
{
	char cells[MAP_MAX_WIDTH + 1];
	const struct map_row *r;
	int c, i;

	printf("pid %u: '.' here, 1-9 a-z A-Z the node holding most of a cell's pages\n", m->pid);
	for (r = m->rows; r < m->rows + m->nrows; r++) {
		for (c = 0; c < r->cells; c++)
			cells[c] = r->holder[c] == MAP_NONE ? ' ' :
				   r->holder[c] == MAP_HERE ? '.' : node_mark(r->holder[c]);
		cells[c] = '\0';
		printf("%012llx %8llu pages [%s]\n", r->start, (r->end - r->start) / 4096, cells);
	}
	printf("here: %llu pages", m->local);
	for (i = 1; i < 64; i++)
		if (m->remote[i])
			printf(", node %d: %llu pages", i, (unsigned long long)m->remote[i]);
	printf("\n");
}

static void map_print_json(const struct page_map *m)
{
	struct json_object *o = json_object_new_object(), *rows = json_object_new_array();
	const struct map_row *r;

	for (r = m->rows; r < m->rows + m->nrows; r++) {
		struct json_object *jr = json_object_new_object();

		json_object_object_add(jr, "start", json_object_new_uint64(r->start));
		json_object_object_add(jr, "end", json_object_new_uint64(r->end));
		json_object_object_add(jr, "local", json_object_new_uint64(r->local));
		json_object_object_add(jr, "remote", json_node_pages(r->remote, 0));
		json_object_array_add(rows, jr);
	}
	json_object_object_add(o, "pid", json_object_new_int64(m->pid));
	json_object_object_add(o, "local", json_object_new_uint64(m->local));
	json_object_object_add(o, "remote", json_node_pages(m->remote, 0));
	json_object_object_add(o, "regions", rows);
	print_json(o);
}

/* SVG geometry, in pixels. */
#define SVG_MARGIN	10
#define SVG_HEAD	48	/* title and explanation above the rows */
#define SVG_LABEL_W	150	/* row labels: start address and size */
#define SVG_ROW_H	14
#define SVG_ROW_STEP	17
#define SVG_GRID_W	768	/* cells of a full row, at most (at least 2 px each) */
#define SVG_MIN_W	600
#define SVG_HERE	"#808080"
#define SVG_NONE	"#e0e0e0"

/*
 * A fixed colour per node id: hues a golden angle (137.5 degrees) apart,
 * so that any few ids get distinct colours, all saturated, which sets
 * them apart from the greys of "here" and "absent".
 */
static void node_colour(int id, char *buf, size_t size)
{
	int h = id * 1375 / 10 % 360, v = 217, lo = 65;	/* HSV: value 0.85, saturation 0.7 */
	int f = (h % 60) * (v - lo) / 60, r, g, b;

	switch (h / 60) {
	case 0:
		r = v, g = lo + f, b = lo;
		break;
	case 1:
		r = v - f, g = v, b = lo;
		break;
	case 2:
		r = lo, g = v, b = lo + f;
		break;
	case 3:
		r = lo, g = v - f, b = v;
		break;
	case 4:
		r = lo + f, g = lo, b = v;
		break;
	default:
		r = v, g = lo, b = v - f;
		break;
	}
	snprintf(buf, size, "#%02x%02x%02x", r, g, b);
}

/* A cell, or a legend swatch, in the colour of @holder. */
static void svg_rect(FILE *f, int x, int y, int w, int holder)
{
	char fill[8];

	if (holder == MAP_HERE)
		snprintf(fill, sizeof(fill), SVG_HERE);
	else if (holder == MAP_NONE)
		snprintf(fill, sizeof(fill), SVG_NONE);
	else
		node_colour(holder, fill, sizeof(fill));
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
		x, y, w, SVG_ROW_H, fill);
}

/* 4K, 132K, 8.0M, 1.5G: a mapping's size for its label. */
static void fmt_size(unsigned long long bytes, char *buf, size_t size)
{
	if (bytes < 1ULL << 20)
		snprintf(buf, size, "%lluK", bytes >> 10);
	else if (bytes < 1ULL << 30)
		snprintf(buf, size, "%.1fM", bytes / 1048576.0);
	else
		snprintf(buf, size, "%.1fG", bytes / 1073741824.0);
}

/*
 * Text for XML: markup escaped, and anything but printable ASCII as '?'
 * (a command name is bytes, not necessarily UTF-8).
 */
static void svg_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', f);
	}
}

static void svg_row(FILE *f, const struct map_row *r, int y, int cw)
{
	char size[16];
	int c, i;

	fmt_size(r->end - r->start, size, sizeof(size));
	fprintf(f, "<g><title>%012llx-%012llx: %llu pages, here %llu", r->start, r->end,
		(r->end - r->start) / 4096, r->local);
	for (i = 1; i < 64; i++)
		if (r->remote[i])
			fprintf(f, ", node %d: %llu", i, (unsigned long long)r->remote[i]);
	fprintf(f, "</title>\n<text x=\"%d\" y=\"%d\">%012llx %6s</text>\n",
		SVG_MARGIN, y + SVG_ROW_H - 3, r->start, size);
	/* A pixel of white between cells wide enough to spare it. */
	for (c = 0; c < r->cells; c++)
		svg_rect(f, SVG_MARGIN + SVG_LABEL_W + c * cw, y, cw - (cw > 3), r->holder[c]);
	fputs("</g>\n", f);
}

static void svg_legend_entry(FILE *f, int holder, int y, const char *label,
			     unsigned long long pages)
{
	svg_rect(f, SVG_MARGIN, y, SVG_ROW_H, holder);
	fprintf(f, "<text x=\"%d\" y=\"%d\">%s", SVG_MARGIN + SVG_ROW_H + 6, y + SVG_ROW_H - 3, label);
	if (holder != MAP_NONE)
		fprintf(f, ": %llu pages", pages);
	fputs("</text>\n", f);
}

/* The legend: here, each node holding pages, absent; one line each. */
static void svg_legend(FILE *f, const struct page_map *m, int y)
{
	char label[16];
	int i;

	fputs("<g id=\"legend\">\n", f);
	svg_legend_entry(f, MAP_HERE, y, "here", m->local);
	for (i = 1; i < 64; i++)
		if (m->remote[i]) {
			y += SVG_ROW_STEP;
			snprintf(label, sizeof(label), "node %d", i);
			svg_legend_entry(f, i, y, label, m->remote[i]);
		}
	svg_legend_entry(f, MAP_NONE, y + SVG_ROW_STEP, "absent: no page present", 0);
	fputs("</g>\n", f);
}

/*
 * The map as an SVG 1.1 picture: a row of cells per mapping, as in the
 * text, coloured by holder, with a legend of page counts per node.  Plain
 * presentation attributes, no CSS, so that simple renderers draw it too.
 */
static void map_write_svg(FILE *f, const struct page_map *m, int width)
{
	int cw = SVG_GRID_W / width, legend = 2, w, h, i;
	const struct map_row *r;

	cw = cw > 12 ? 12 : cw < 2 ? 2 : cw;
	for (i = 1; i < 64; i++)
		legend += !!m->remote[i];
	w = 2 * SVG_MARGIN + SVG_LABEL_W + width * cw;
	w = w < SVG_MIN_W ? SVG_MIN_W : w;	/* room for the title */
	h = SVG_HEAD + (m->nrows + 1 + legend) * SVG_ROW_STEP + SVG_MARGIN;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"11\" stroke=\"none\">\n", w, h, w, h);
	fprintf(f, "<title>pid %u (", m->pid);
	svg_escaped(f, m->comm);
	fprintf(f, "): page placement</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"14\">pid %u (", SVG_MARGIN, SVG_MARGIN + 12,
		m->pid);
	svg_escaped(f, m->comm);
	fprintf(f, ") on node %u: where its pages are</text>\n", m->node_id);
	fprintf(f, "<text x=\"%d\" y=\"%d\">one row per mapping with pages present; "
		"a cell is coloured by who holds most of its pages</text>\n",
		SVG_MARGIN, SVG_MARGIN + 30);
	fputs("<g id=\"rows\">\n", f);
	for (r = m->rows, i = 0; r < m->rows + m->nrows; r++, i++)
		svg_row(f, r, SVG_HEAD + i * SVG_ROW_STEP, cw);
	fputs("</g>\n", f);
	svg_legend(f, m, SVG_HEAD + (m->nrows + 1) * SVG_ROW_STEP);
	fputs("</svg>\n", f);
}

/* Write the SVG to @path, "-" for stdout. */
static int map_svg_to(const char *path, const struct page_map *m, int width)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	int err;

	if (!f) {
		fprintf(stderr, "%s: map: %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	map_write_svg(f, m, width);
	err = ferror(f);
	/* A full disk may show only when the last buffer goes out. */
	if (f == stdout ? fflush(f) : fclose(f))
		err = 1;
	if (err)
		fprintf(stderr, "%s: map: %s: %s\n", prog, path, strerror(errno));
	return err ? 1 : 0;
}

/*
 * elasticctl map: each mapping that has pages as a row of cells; a cell
 * shows '.' when most of its pages are here, the mark of the node holding
 * most of them otherwise, ' ' when none is present.  --svg FILE draws the
 * same scan as a picture too; with FILE "-", instead, on stdout.
 */
static int map_show(uint32_t pid, uint32_t width, const char *svg)
{
	int picture_only = svg && !strcmp(svg, "-"), ret = 0;
	struct page_map m;

	if (map_scan(pid, width, &m))
		return 1;
	if (svg)
		ret = map_svg_to(svg, &m, width);
	if (!picture_only && json_out)
		map_print_json(&m);
	else if (!picture_only)
		map_print_text(&m);
	free(m.rows);
	return ret;
}

/* map PID [--width N] [--svg FILE] */
int do_map(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "width", required_argument, NULL, 'w' },
		{ "svg", required_argument, NULL, 's' },
		{}
	};
	const char *svg = NULL;
	uint32_t pid, width = 64;
	int opt;

	/* 0, not 1: glibc then forgets main's '+' and lets options follow PID. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'w' && !elastic_parse_u32(optarg, 8, MAP_MAX_WIDTH, &width))
			continue;
		if (opt == 's' && *optarg) {
			svg = optarg;
			continue;
		}
		return usage_error("usage: map PID [--width N] [--svg FILE] (N: 8-400)%s", "");
	}
	if (optind != argc - 1 || elastic_parse_u32(argv[optind], 1, INT32_MAX, &pid))
		return usage_error("usage: map PID [--width N] [--svg FILE] (N: 8-400)%s", "");
	return map_show(pid, width, svg);
}
