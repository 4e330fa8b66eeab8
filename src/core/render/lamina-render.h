/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-render.h: cairo drawing of a laid-out graph, Netron's look
 * (see DESIGN.md "Netron's look"), shared by the window and `lamina-cli render`.
 */
#pragma once

#include <cairo.h>
#include "layout/lamina-layout.h"

G_BEGIN_DECLS

#define LAMINA_RENDER_ERROR (lamina_render_error_quark ())
GQuark lamina_render_error_quark (void);

typedef enum {
  LAMINA_RENDER_ERROR_FORMAT,  /* unknown output extension */
  LAMINA_RENDER_ERROR_WRITE,   /* could not write the file */
  LAMINA_RENDER_ERROR_SIZE,    /* too large for the output format */
} LaminaRenderError;

/* Per-box state drawn by the window's simulator (flags combine). */
typedef enum {
  LAMINA_BOX_MARK_DONE        = 1 << 0,  /* executed: green check, tinted body */
  LAMINA_BOX_MARK_NEXT        = 1 << 1,  /* runs next: amber outline */
  LAMINA_BOX_MARK_UNSUPPORTED = 1 << 2,  /* no kernel: red outline */
} LaminaBoxMarkFlags;

typedef struct {
  guint8 flags;      /* LaminaBoxMarkFlags */
  char   label[48];  /* small text under the box ("1.25 ms · float fallback"), "" for none */
} LaminaBoxMark;

typedef struct {
  gboolean dark;             /* dark palette for the window's dark style */
  int      selected_box;     /* -1 none */
  int      hovered_box;      /* -1 none */
  int      selected_edge;    /* -1 none */
  const LaminaRect *visible; /* draw only what intersects this (layout units), NULL = all */
  double   scale;            /* current zoom, lets text be skipped when tiny; 1.0 */
  const LaminaBoxMark *marks; /* NULL, or one per box of the layout */
  guint    n_marks;
  /* Metric colouring (issue 6): NULL, or one value per box of the layout
   * (NaN: none). Node headers are filled with the inferno colour
   * (lamina-colormap.h) of lamina_render_metric_position (value, worst,
   * best), so the worst value is the brightest; nodes without a value get
   * a neutral grey header. The value (without unit: the legend has it) is
   * written in the header, or beside it when the title leaves no room. */
  const double *metric;
  guint    n_metric;
  double   metric_worst, metric_best;
} LaminaRenderOptions;

void lamina_render_options_init (LaminaRenderOptions *options);

/* Where value falls between best (0) and worst (1), clamped; NaN for NaN.
 * worst may be below best (SQNR: lower is worse) or above (MSE); 0.5
 * when they are equal. */
double lamina_render_metric_position (double value, double worst, double best);
/* The grey header of a node without a value, for legends. */
void   lamina_render_no_metric_color (gboolean is_dark, double rgb[3]);
/* "12.35 dB", "0.9999", "∞ dB": 4 significant digits, '.' as the decimal
 * point, then the unit (NULL or "" for none). */
char  *lamina_render_format_metric (double value, const char *unit);

/* Text measurement with the fonts render uses: pass as LaminaLayoutOptions.measure. */
double lamina_render_measure_text (const char *text, double px, gboolean bold, gpointer user_data);
/* Fills options with render's fonts and measurement. */
void   lamina_render_layout_options (LaminaLayoutOptions *options);

/* Draws the graph in layout units onto cr (the caller sets the transform). */
void lamina_render_graph (cairo_t *cr, const LaminaLayout *layout, const LaminaRenderOptions *options);

/* Writes the graph to path; the format comes from the extension (.svg, .png,
 * .pdf). Written to a temporary file and renamed into place. */
gboolean lamina_render_export (const LaminaLayout *layout, const char *path, GError **error);

G_END_DECLS
