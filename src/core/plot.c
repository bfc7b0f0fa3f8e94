/*
 * Drawing a recording with cairo (see plot.h). One drawing routine serves
 * both surfaces; the bytes go to a temporary file through cairo's stream
 * callbacks (so every write is checked), which is renamed over the target
 * at the end. Nothing here keeps state between calls.
 */
#include "config.h"

#include "core/plot.h"

#include <cairo.h>
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xmalloc.h"

#define PLOT_WIDTH 1000
#define PLOT_HEIGHT 600
#define PLOT_LEFT 80.0
#define PLOT_RIGHT 90.0
#define PLOT_TOP 64.0
#define PLOT_BOTTOM 60.0

enum plot_format { PLOT_PNG, PLOT_SVG };

/* The data area and the scales of the three axes. */
struct plot_frame {
	double x0, y0, x1, y1; /* device coordinates: x0,y0 top left */
	double tmax, tstep;
	double cpumax, cpustep;
	double memmax, memstep;
	int ndiv;
};

struct plot_sink {
	int fd;
	int error; /* errno of the first failed write */
};

double
plot_nice_ceil(double x)
{
	double p, m;

	if (!(x > 0) || !isfinite(x))
		return 1;
	p = pow(10, floor(log10(x)));
	m = x / p;
	if (m <= 1.000001)
		return p;
	if (m <= 2.000001)
		return 2 * p;
	if (m <= 5.000001)
		return 5 * p;
	return 10 * p;
}

static void
plot_frame_init(struct plot_frame *f, const struct recording *rec)
{
	double tmax = 0, cpumax = 0, memmax = 0;

	for (size_t i = 0; i < rec->nsamples; i++) {
		const struct sample *s = &rec->samples[i];

		if (isfinite(s->t) && s->t > tmax)
			tmax = s->t;
		if (isfinite(s->cpu) && s->cpu > cpumax)
			cpumax = s->cpu;
		if (isfinite(s->rss_mb) && s->rss_mb > memmax)
			memmax = s->rss_mb;
	}
	for (size_t i = 0; i < rec->nmarks; i++) {
		if (isfinite(rec->marks[i].t) && rec->marks[i].t > tmax)
			tmax = rec->marks[i].t;
	}
	f->x0 = PLOT_LEFT;
	f->y0 = PLOT_TOP;
	f->x1 = PLOT_WIDTH - PLOT_RIGHT;
	f->y1 = PLOT_HEIGHT - PLOT_BOTTOM;

	f->tstep = plot_nice_ceil((tmax > 0 ? tmax : 1) / 8);
	f->tmax = ceil((tmax > 0 ? tmax : 1) / f->tstep - 1e-9) * f->tstep;

	if (cpumax < 100)
		cpumax = 100;
	f->cpustep = plot_nice_ceil(cpumax / 5);
	f->ndiv = (int)ceil(cpumax / f->cpustep - 1e-9);
	if (f->ndiv < 1)
		f->ndiv = 1;
	f->cpumax = f->ndiv * f->cpustep;

	if (memmax <= 0)
		memmax = 1;
	f->memstep = plot_nice_ceil(memmax / f->ndiv);
	f->memmax = f->ndiv * f->memstep;
}

static double
plot_x(const struct plot_frame *f, double t)
{
	return f->x0 + (f->x1 - f->x0) * t / f->tmax;
}

static double
plot_y(const struct plot_frame *f, double v, double max)
{
	return f->y1 - (f->y1 - f->y0) * v / max;
}

/* Formats a tick value with as many decimals as the step needs. */
static void
plot_format_tick(char *out, size_t size, double v, double step)
{
	int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);

	snprintf(out, size, "%.*f", decimals, v);
}

enum plot_align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

static void
plot_text(cairo_t *cr, double x, double y, const char *s, enum plot_align align, double angle)
{
	cairo_text_extents_t te;

	cairo_text_extents(cr, s, &te);
	cairo_save(cr);
	cairo_translate(cr, x, y);
	cairo_rotate(cr, angle);
	if (align == ALIGN_CENTER)
		cairo_move_to(cr, -te.x_advance / 2, 0);
	else if (align == ALIGN_RIGHT)
		cairo_move_to(cr, -te.x_advance, 0);
	else
		cairo_move_to(cr, 0, 0);
	cairo_show_text(cr, s);
	cairo_restore(cr);
}

static void
plot_grid_and_axes(cairo_t *cr, const struct plot_frame *f)
{
	char label[64];
	double x, y;

	cairo_set_line_width(cr, 1);
	cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
	for (double t = f->tstep; t < f->tmax - f->tstep / 2; t += f->tstep) {
		x = round(plot_x(f, t)) + 0.5;
		cairo_move_to(cr, x, f->y0);
		cairo_line_to(cr, x, f->y1);
	}
	for (int i = 1; i < f->ndiv; i++) {
		y = round(plot_y(f, i * f->cpustep, f->cpumax)) + 0.5;
		cairo_move_to(cr, f->x0, y);
		cairo_line_to(cr, f->x1, y);
	}
	cairo_stroke(cr);

	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_rectangle(cr, f->x0 + 0.5, f->y0 + 0.5, f->x1 - f->x0, f->y1 - f->y0);
	cairo_stroke(cr);

	cairo_set_font_size(cr, 12);
	for (int i = 0; (double)i * f->tstep <= f->tmax + f->tstep / 2; i++) {
		double t = i * f->tstep;

		if (t > f->tmax * (1 + 1e-9))
			break;
		x = plot_x(f, t);
		plot_format_tick(label, sizeof label, t, f->tstep);
		plot_text(cr, x, f->y1 + 18, label, ALIGN_CENTER, 0);
	}
	for (int i = 0; i <= f->ndiv; i++) {
		y = plot_y(f, i * f->cpustep, f->cpumax) + 4;
		plot_format_tick(label, sizeof label, i * f->cpustep, f->cpustep);
		cairo_set_source_rgb(cr, 0.12, 0.35, 0.75);
		plot_text(cr, f->x0 - 8, y, label, ALIGN_RIGHT, 0);
		plot_format_tick(label, sizeof label, i * f->memstep, f->memstep);
		cairo_set_source_rgb(cr, 0.80, 0.25, 0.10);
		plot_text(cr, f->x1 + 8, y, label, ALIGN_LEFT, 0);
	}

	cairo_set_font_size(cr, 14);
	cairo_set_source_rgb(cr, 0, 0, 0);
	plot_text(cr, (f->x0 + f->x1) / 2, PLOT_HEIGHT - 18, "Elapsed time (s)", ALIGN_CENTER, 0);
	cairo_set_source_rgb(cr, 0.12, 0.35, 0.75);
	plot_text(cr, 24, (f->y0 + f->y1) / 2, "CPU (%)", ALIGN_CENTER, -M_PI / 2);
	cairo_set_source_rgb(cr, 0.80, 0.25, 0.10);
	plot_text(
	    cr, PLOT_WIDTH - 20, (f->y0 + f->y1) / 2, "Real memory (MB)", ALIGN_CENTER, M_PI / 2);
}

/* One series; thinned to the minimum and maximum per pixel column. */
static void
plot_series(cairo_t *cr, const struct plot_frame *f, const struct recording *rec, int mem)
{
	double max = mem ? f->memmax : f->cpumax, width = f->x1 - f->x0;
	int thin = rec->nsamples > (size_t)(2 * width), started = 0;
	long col = -1;
	double lo = 0, hi = 0, lot = 0, hit = 0;

	cairo_save(cr);
	cairo_rectangle(cr, f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0);
	cairo_clip(cr);
	for (size_t i = 0; i <= rec->nsamples; i++) {
		const struct sample *s = i < rec->nsamples ? &rec->samples[i] : NULL;
		double v = 0;
		long c = 0;

		if (s != NULL) {
			v = mem ? s->rss_mb : s->cpu;
			if (!isfinite(v) || !isfinite(s->t))
				continue;
			if (!thin) {
				if (!started)
					cairo_move_to(cr, plot_x(f, s->t), plot_y(f, v, max));
				else
					cairo_line_to(cr, plot_x(f, s->t), plot_y(f, v, max));
				started = 1;
				continue;
			}
			c = (long)floor(plot_x(f, s->t));
			if (c == col) {
				if (v < lo) {
					lo = v;
					lot = s->t;
				}
				if (v > hi) {
					hi = v;
					hit = s->t;
				}
				continue;
			}
		} else if (!thin)
			break;
		if (col != -1) {
			double a = lot <= hit ? lo : hi, b = lot <= hit ? hi : lo;
			double at = lot <= hit ? lot : hit, bt = lot <= hit ? hit : lot;

			if (!started)
				cairo_move_to(cr, plot_x(f, at), plot_y(f, a, max));
			else
				cairo_line_to(cr, plot_x(f, at), plot_y(f, a, max));
			cairo_line_to(cr, plot_x(f, bt), plot_y(f, b, max));
			started = 1;
		}
		if (s == NULL)
			break;
		col = c;
		lo = hi = v;
		lot = hit = s->t;
	}
	if (mem)
		cairo_set_source_rgb(cr, 0.80, 0.25, 0.10);
	else
		cairo_set_source_rgb(cr, 0.12, 0.35, 0.75);
	cairo_set_line_width(cr, 1.6);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	cairo_stroke(cr);
	cairo_restore(cr);
}

static void
plot_marks(cairo_t *cr, const struct plot_frame *f, const struct recording *rec)
{
	static const double dash[] = {5, 4};
	double x;

	cairo_save(cr);
	cairo_set_font_size(cr, 11);
	for (size_t i = 0; i < rec->nmarks; i++) {
		if (!isfinite(rec->marks[i].t) || rec->marks[i].t < 0)
			continue;
		x = round(plot_x(f, rec->marks[i].t)) + 0.5;
		cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_set_line_width(cr, 1);
		cairo_move_to(cr, x, f->y0);
		cairo_line_to(cr, x, f->y1);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
		plot_text(cr, x - 4, f->y0 + 6, rec->marks[i].label, ALIGN_RIGHT, -M_PI / 2);
	}
	cairo_restore(cr);
}

static void
plot_peak(cairo_t *cr, const struct plot_frame *f, const struct recording *rec)
{
	long i = recording_peak(rec);
	const struct sample *s;
	char label[128];
	double x, y;

	if (i < 0)
		return;
	s = &rec->samples[i];
	if (!isfinite(s->rss_mb) || !isfinite(s->t))
		return;
	x = plot_x(f, s->t);
	y = plot_y(f, s->rss_mb, f->memmax);
	cairo_set_source_rgb(cr, 0.80, 0.25, 0.10);
	cairo_arc(cr, x, y, 4, 0, 2 * M_PI);
	cairo_fill(cr);
	snprintf(label, sizeof label, "peak %.1f MB at %.1f s", s->rss_mb, s->t);
	cairo_set_font_size(cr, 12);
	cairo_set_source_rgb(cr, 0, 0, 0);
	if (x > (f->x0 + f->x1) / 2)
		plot_text(cr, x - 8, y < f->y0 + 20 ? y + 16 : y - 8, label, ALIGN_RIGHT, 0);
	else
		plot_text(cr, x + 8, y < f->y0 + 20 ? y + 16 : y - 8, label, ALIGN_LEFT, 0);
}

/* A one-line legend above the data area, right-aligned. */
static void
plot_legend(cairo_t *cr, const struct plot_frame *f)
{
	static const struct {
		const char *label;
		double r, g, b;
	} items[] = {{"CPU (%)", 0.12, 0.35, 0.75}, {"Real memory (MB)", 0.80, 0.25, 0.10}};
	cairo_text_extents_t te;
	double x = f->x1, y = f->y0 - 10;

	cairo_set_font_size(cr, 12);
	cairo_set_line_width(cr, 2);
	for (size_t i = sizeof items / sizeof items[0]; i > 0; i--) {
		cairo_text_extents(cr, items[i - 1].label, &te);
		x -= te.x_advance;
		cairo_set_source_rgb(cr, 0, 0, 0);
		plot_text(cr, x, y, items[i - 1].label, ALIGN_LEFT, 0);
		cairo_set_source_rgb(cr, items[i - 1].r, items[i - 1].g, items[i - 1].b);
		cairo_move_to(cr, x - 28, y - 4);
		cairo_line_to(cr, x - 6, y - 4);
		cairo_stroke(cr);
		x -= 28 + 18;
	}
}

static void
plot_draw(cairo_t *cr, const struct recording *rec, const char *title)
{
	struct plot_frame f;

	plot_frame_init(&f, rec);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	plot_grid_and_axes(cr, &f);
	plot_marks(cr, &f, rec);
	plot_series(cr, &f, rec, 0);
	plot_series(cr, &f, rec, 1);
	plot_peak(cr, &f, rec);
	plot_legend(cr, &f);
	if (title != NULL && *title != '\0') {
		cairo_set_font_size(cr, 16);
		cairo_set_source_rgb(cr, 0, 0, 0);
		plot_text(cr, PLOT_WIDTH / 2.0, 26, title, ALIGN_CENTER, 0);
	}
	if (rec->machine != NULL) {
		cairo_set_font_size(cr, 10);
		cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
		plot_text(cr, 8, PLOT_HEIGHT - 4, rec->machine, ALIGN_LEFT, 0);
	}
}

static cairo_status_t
plot_sink_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct plot_sink *sink = closure;
	ssize_t n;

	if (sink->error != 0)
		return CAIRO_STATUS_WRITE_ERROR;
	while (length > 0) {
		n = write(sink->fd, data, length);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			sink->error = errno;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		data += n;
		length -= (unsigned int)n;
	}
	return CAIRO_STATUS_SUCCESS;
}

/* Draws onto a surface streaming into sink; a cairo error message or NULL. */
static const char *
plot_render(
    enum plot_format format, struct plot_sink *sink, const struct recording *rec, const char *title)
{
	cairo_surface_t *surface;
	cairo_status_t status;
	cairo_t *cr;

	if (format == PLOT_PNG)
		surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, PLOT_WIDTH, PLOT_HEIGHT);
	else
		surface = cairo_svg_surface_create_for_stream(
		    plot_sink_write, sink, PLOT_WIDTH, PLOT_HEIGHT);
	cr = cairo_create(surface);
	plot_draw(cr, rec, title);
	status = cairo_status(cr);
	cairo_destroy(cr);
	if (status == CAIRO_STATUS_SUCCESS) {
		if (format == PLOT_PNG)
			status = cairo_surface_write_to_png_stream(surface, plot_sink_write, sink);
		else {
			cairo_surface_finish(surface);
			status = cairo_surface_status(surface);
		}
	}
	cairo_surface_destroy(surface);
	if (status == CAIRO_STATUS_SUCCESS)
		return NULL;
	return cairo_status_to_string(status);
}

int
plot_write(const char *path, const struct recording *rec, const char *title, char **cause)
{
	const char *base, *ext, *err;
	struct plot_sink sink;
	enum plot_format format;
	char *tmp;
	mode_t mask;

	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	ext = strrchr(base, '.');
	if (ext == NULL || ext == base) {
		*cause =
		    xasprintf("cannot write plot %s: no file extension (use .png or .svg)", path);
		return -1;
	}
	if (strcasecmp(ext, ".png") == 0)
		format = PLOT_PNG;
	else if (strcasecmp(ext, ".svg") == 0)
		format = PLOT_SVG;
	else {
		*cause = xasprintf(
		    "cannot write plot %s: unknown extension \"%s\" (use .png or .svg)", path, ext);
		return -1;
	}

	tmp = xasprintf("%.*s.%s.XXXXXX", (int)(base - path), path, base);
	if ((sink.fd = mkstemp(tmp)) == -1) {
		*cause = xasprintf("cannot write plot %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	mask = umask(0);
	umask(mask);
	sink.error = 0;
	if (fchmod(sink.fd, 0666 & ~mask) == -1)
		sink.error = errno;
	err = sink.error == 0 ? plot_render(format, &sink, rec, title) : NULL;
	if (close(sink.fd) == -1 && errno != EINTR && sink.error == 0)
		sink.error = errno;
	if (sink.error == 0 && err == NULL && rename(tmp, path) == -1)
		sink.error = errno;
	if (sink.error != 0 || err != NULL) {
		if (sink.error != 0)
			*cause = xasprintf("cannot write plot %s: %s", path, strerror(sink.error));
		else
			*cause = xasprintf("cannot write plot %s: %s", path, err);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
