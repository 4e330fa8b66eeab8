/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-compare-page.c: the Compare page (see lamina-compare-page.h).
 *
 * Each pane shows its model's detections followed by "ghosts": dashed
 * copies of the boxes only the other model found. A row of the diff list
 * knows its box in both panes (Row.item), a box its row (Pane.row_of).
 * The heatmap is rendered once per layer / channel at the image's
 * resolution (at most HEATMAP_MAX_SIDE) and laid over the fixed pane as
 * the view's overlay; the opacity slider only changes how it is painted.
 */
#define G_LOG_DOMAIN "lamina-compare-page"

#include <math.h>
#include <glib/gi18n.h>
#include "lamina-compare-page.h"
#include "lamina-index-model.h"
#include "sim/lamina-sim-input.h"
#include "lamina-column.h"

/* the heatmap surface's long side: finer than the screen needs at fit */
#define HEATMAP_MAX_SIDE 1280
/* layers marked in the layer list */
#define N_WORST 5
#define LEGEND_FONT_PX 12.0

enum { PANE_FLOAT, PANE_FIXED, N_PANES };

/* Pair colours (Tableau 10 without red and orange, which mark missed and
 * extra boxes). */
static const guint32 pair_palette[] = {
  0x1F77B4, 0x2CA02C, 0x9467BD, 0x17BECF, 0xE377C2, 0xBCBD22, 0x8C564B, 0x7F7F7F,
};
#define MISSED_RGB 0xE0282E
#define EXTRA_RGB  0xFF8C00

typedef struct {
  int                 flt, fixed;   /* indices into each model's detections, -1: none */
  guint               number;       /* 1… for matched pairs, 0 otherwise */
  LaminaCompareStatus status;
  int                 item[N_PANES];/* the row's box in each pane */
} Row;

typedef struct {
  LaminaDetections dets;     /* shallow copies: labels belong to the session */
  GArray          *styles;   /* LaminaAnnotateStyle per item */
  GArray          *row_of;   /* int per item */
} Pane;

struct _LaminaComparePage
{
  AdwBin                parent_instance;

  /* template */
  LaminaImageView      *float_view;
  LaminaImageView      *fixed_view;
  GtkLabel             *float_title;
  GtkLabel             *fixed_title;
  GtkDrawingArea       *legend_area;
  AdwStatusPage        *empty_page;
  GtkWidget            *busy_box;
  GtkProgressBar       *progress_bar;
  GtkButton            *cancel_button;
  GtkWidget            *side_switcher;
  GtkStack             *side_stack;
  GtkLabel             *summary_label;
  GtkLabel             *detail_label;
  GtkLabel             *problem_label;
  GtkWidget            *results_box;
  GtkAdjustment        *score_adjustment;
  GtkAdjustment        *iou_adjustment;
  GtkColumnView        *diff_list;
  GtkCheckButton       *heatmap_check;
  GtkDropDown          *layer_dropdown;
  GtkButton            *prev_button;
  GtkButton            *next_button;
  GtkButton            *worst_button;
  GtkLabel             *layer_label;
  GtkAdjustment        *channel_adjustment;
  GtkAdjustment        *opacity_adjustment;

  LaminaCompareSession *session;
  GArray               *rows;        /* Row */
  Pane                  panes[N_PANES];
  GPtrArray            *chips;       /* the styles' chip texts */
  LaminaIndexModel     *row_model;
  GtkSingleSelection   *selection;
  LaminaIndexModel     *layer_model;
  GArray               *layers;      /* guint: index into the result's layers, heatmap-able only */
  GHashTable           *worst;       /* those indices among the N_WORST lowest SQNR */
  char                 *layer_name;  /* float tensor of the heatmap, kept across runs */
  LaminaErrorMap       *map;
  gboolean              syncing;     /* list ↔ boxes */
  gboolean              syncing_views;
  gboolean              filling;     /* controls being set from the session */
};

G_DEFINE_FINAL_TYPE (LaminaComparePage, lamina_compare_page, ADW_TYPE_BIN)

enum { LAYER_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- labels ---------------------------------------------------------------------- */

static const char *
status_name (LaminaCompareStatus status)
{
  static const char *const names[] = { N_("matched"), N_("missed"), N_("extra") };

  return _(names[status]);
}

static char *
class_name (const LaminaDetection *d)
{
  if (d->text != NULL)
    return g_strdup (d->text);
  if (d->label != NULL)
    return g_strdup (d->label);
  /* TRANSLATORS: a detection whose class has no label; %d is its id */
  return g_strdup_printf (_("class %d"), d->class_id);
}

static const LaminaDetection *
detection (LaminaComparePage *self, gboolean fixed, int index)
{
  const LaminaDetections *dets = lamina_compare_session_get_detections (self->session, fixed);

  return dets != NULL && index >= 0 && (guint) index < dets->len ? &dets->items[index] : NULL;
}

/* ---- panes ------------------------------------------------------------------------- */

static void
pane_clear (Pane *pane)
{
  g_clear_pointer (&pane->dets.items, g_free);
  pane->dets.len = pane->dets.capacity = 0;
  g_array_set_size (pane->styles, 0);
  g_array_set_size (pane->row_of, 0);
}

/* Appends a box: the model's own (solid) or a ghost of the other's
 * (dashed); chip is taken. */
static int
pane_add (LaminaComparePage *self, Pane *pane, const LaminaDetection *d, guint row, guint32 hex,
          gboolean ghost, char *chip)
{
  LaminaAnnotateStyle style = { { ((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0, (hex & 0xff) / 255.0 },
                                chip, ghost };
  int item = (int) pane->dets.len;

  g_ptr_array_add (self->chips, chip);
  pane->dets.items = g_renew (LaminaDetection, pane->dets.items, pane->dets.len + 1);
  pane->dets.items[pane->dets.len++] = *d;
  pane->dets.capacity = pane->dets.len;
  g_array_append_val (pane->styles, style);
  g_array_append_val (pane->row_of, row);
  return item;
}

static guint32
row_colour (const Row *row)
{
  if (row->status == LAMINA_COMPARE_MISSED)
    return MISSED_RGB;
  if (row->status == LAMINA_COMPARE_EXTRA)
    return EXTRA_RGB;
  return pair_palette[(row->number - 1) % G_N_ELEMENTS (pair_palette)];
}

/* "3 · person 0.87" (a pair), "missed · person 0.55"; ghosts without a score. */
static char *
chip_text (const Row *row, const LaminaDetection *d, gboolean ghost)
{
  g_autofree char *name = class_name (d);

  if (row->status == LAMINA_COMPARE_MATCHED)
    return g_strdup_printf ("%u · %s %.2f", row->number, name, d->score);
  if (ghost)
    return g_strdup_printf ("%s · %s", status_name (row->status), name);
  return g_strdup_printf ("%s · %s %.2f", status_name (row->status), name, d->score);
}

/* Each row's box in its own pane, then the ghosts in the other. */
static void
fill_panes (LaminaComparePage *self)
{
  for (guint p = 0; p < N_PANES; p++)
    pane_clear (&self->panes[p]);
  g_ptr_array_set_size (self->chips, 0);
  for (guint pass = 0; pass < 2; pass++)
    for (guint r = 0; r < self->rows->len; r++)
      {
        Row *row = &g_array_index (self->rows, Row, r);
        for (guint p = 0; p < N_PANES; p++)
          {
            int own = p == PANE_FLOAT ? row->flt : row->fixed, other = p == PANE_FLOAT ? row->fixed : row->flt;
            const LaminaDetection *d = own >= 0 ? detection (self, p, own) : detection (self, !p, other);
            gboolean ghost = own < 0;
            /* own boxes first: drawn last, over the ghosts */
            if ((pass == 0) == ghost || d == NULL)
              continue;
            row->item[p] = pane_add (self, &self->panes[p], d, r, row_colour (row), ghost, chip_text (row, d, ghost));
          }
      }
  for (guint p = 0; p < N_PANES; p++)
    {
      LaminaImageView *view = p == PANE_FLOAT ? self->float_view : self->fixed_view;
      self->syncing = TRUE;
      lamina_image_view_set_detections (view, &self->panes[p].dets, NULL);
      lamina_image_view_set_styles (view, (const LaminaAnnotateStyle *) self->panes[p].styles->data);
      self->syncing = FALSE;
    }
}

/* Matched pairs (float order), then missed, then extra. */
static void
fill_rows (LaminaComparePage *self)
{
  const LaminaDetections *f = lamina_compare_session_get_detections (self->session, FALSE);
  const LaminaDetections *x = lamina_compare_session_get_detections (self->session, TRUE);
  const LaminaDetectionMatch *m = lamina_compare_session_get_detection_match (self->session);
  guint number = 0;

  g_array_set_size (self->rows, 0);
  for (guint pass = 0; m != NULL && pass < 2; pass++)
    for (guint i = 0; i < f->len; i++)
      if ((m->ref_partner[i] >= 0) == (pass == 0))
        {
          Row row = { (int) i, m->ref_partner[i], 0, pass ? LAMINA_COMPARE_MISSED : LAMINA_COMPARE_MATCHED, { -1, -1 } };
          row.number = pass ? 0 : ++number;
          g_array_append_val (self->rows, row);
        }
  for (guint j = 0; m != NULL && j < x->len; j++)
    if (m->got_partner[j] < 0)
      {
        Row row = { -1, (int) j, 0, LAMINA_COMPARE_EXTRA, { -1, -1 } };
        g_array_append_val (self->rows, row);
      }
}

/* ---- diff list --------------------------------------------------------------------------- */

enum { COL_NUMBER, COL_CLASS, COL_FLOAT, COL_FIXED, COL_IOU, COL_STATUS };

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  int column = GPOINTER_TO_INT (data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COL_CLASS || column == COL_STATUS ? 0 : 1);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column != COL_CLASS && column != COL_STATUS)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static char *
score_text (const LaminaDetection *d)
{
  return d ? g_strdup_printf ("%.3f", d->score) : g_strdup ("–");
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  LaminaComparePage *self = g_object_get_data (G_OBJECT (factory), "page");
  guint position = gtk_list_item_get_position (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const Row *row = position < self->rows->len ? &g_array_index (self->rows, Row, position) : NULL;
  const LaminaDetection *f = row ? detection (self, FALSE, row->flt) : NULL;
  const LaminaDetection *x = row ? detection (self, TRUE, row->fixed) : NULL;
  const LaminaDetectionMatch *m = lamina_compare_session_get_detection_match (self->session);
  static const char *const classes[] = { "success", "error", "warning" };
  g_autofree char *text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (label, classes[i]);
  if (row == NULL)
    text = g_strdup ("");
  else
    switch (GPOINTER_TO_INT (data))
      {
      case COL_NUMBER:
        text = row->number ? g_strdup_printf ("%u", row->number) : g_strdup ("");
        break;
      case COL_CLASS:
        text = class_name (f ? f : x);
        break;
      case COL_FLOAT:
        text = score_text (f);
        break;
      case COL_FIXED:
        text = score_text (x);
        break;
      case COL_IOU:
        text = row->status == LAMINA_COMPARE_MATCHED && m ? g_strdup_printf ("%.3f", m->ref_iou[row->flt]) : g_strdup ("–");
        break;
      default:
        text = g_strdup (status_name (row->status));
        gtk_widget_add_css_class (label, classes[row->status]);
      }
  gtk_label_set_text (GTK_LABEL (label), text);
}

static void
add_column (LaminaComparePage *self, const char *title, int which, gboolean expand)
{
  GtkColumnViewColumn *column = lamina_column_append (self->diff_list, title, expand, G_CALLBACK (setup_cell),
                                                      G_CALLBACK (bind_cell), NULL, GINT_TO_POINTER (which));

  g_object_set_data (G_OBJECT (gtk_column_view_column_get_factory (column)), "page", self);
}

static void
on_row_selected (LaminaComparePage *self)
{
  guint position = gtk_single_selection_get_selected (self->selection);
  const Row *row = position < self->rows->len ? &g_array_index (self->rows, Row, position) : NULL;

  if (self->syncing)
    return;
  self->syncing = TRUE;
  lamina_image_view_set_selected (self->float_view, row ? row->item[PANE_FLOAT] : -1);
  lamina_image_view_set_selected (self->fixed_view, row ? row->item[PANE_FIXED] : -1);
  self->syncing = FALSE;
}

/* A clicked box selects its row, which selects it in both panes. */
static void
on_box_selected (LaminaImageView *view, GParamSpec *pspec, LaminaComparePage *self)
{
  const Pane *pane = &self->panes[view == self->fixed_view ? PANE_FIXED : PANE_FLOAT];
  int item = lamina_image_view_get_selected (view);
  guint row = item >= 0 && (guint) item < pane->row_of->len ? (guint) g_array_index (pane->row_of, int, item)
                                                             : GTK_INVALID_LIST_POSITION;

  if (self->syncing)
    return;
  gtk_single_selection_set_selected (self->selection, row);
  if (row != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (GTK_WIDGET (self->diff_list), "list.scroll-to-item", "u", row);
}

/* ---- summary ------------------------------------------------------------------------------ */

static void
update_summary (LaminaComparePage *self)
{
  const LaminaCompare *result = lamina_compare_session_get_result (self->session);
  const LaminaDetectionMatch *m = lamina_compare_session_get_detection_match (self->session);
  const char *problem = lamina_compare_session_get_problem (self->session);
  g_autofree char *summary = NULL, *detail = NULL;

  if (result == NULL)
    summary = g_strdup (lamina_compare_session_is_ready (self->session) ? _("Nothing compared yet") : "");
  else if (m == NULL)
    summary = g_strdup (_("No detections to compare"));
  else
    summary = g_strdup_printf (_("%u matched · %u missed · %u extra"),
                               lamina_compare_page_count_rows (self, LAMINA_COMPARE_MATCHED),
                               lamina_compare_page_count_rows (self, LAMINA_COMPARE_MISSED),
                               lamina_compare_page_count_rows (self, LAMINA_COMPARE_EXTRA));
  if (result == NULL && lamina_compare_session_is_ready (self->session))
    detail = g_strdup_printf (_("Float model: %s\nFixed model: %s"),
                              lamina_document_get_title (lamina_compare_session_get_float (self->session)),
                              lamina_document_get_title (lamina_compare_session_get_fixed (self->session)));
  if (result != NULL)
    {
      g_autofree char *iou = m && m->matched ? g_strdup_printf (_("mean IoU %.3f · "), m->mean_iou) : g_strdup ("");
      detail = g_strdup_printf (_("%s%u layer pairs compared (%s); unmatched tensors: %u float, %u fixed"),
                                iou, result->layers->len,
                                result->match->by_provenance ? _("recorded by the quantizer") : _("by name and topology"),
                                result->match->unmatched_float->len, result->match->unmatched_fixed->len);
    }
  gtk_label_set_text (self->summary_label, summary);
  gtk_label_set_text (self->detail_label, detail ? detail : "");
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), detail != NULL);
  gtk_label_set_text (self->problem_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
}

static void
refresh_detections (LaminaComparePage *self)
{
  fill_rows (self);
  fill_panes (self);
  self->syncing = TRUE;
  lamina_index_model_set_n_items (self->row_model, self->rows->len);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  self->syncing = FALSE;
  update_summary (self);
}

/* ---- heatmap ----------------------------------------------------------------------------- */

static const LaminaCompareLayer *
layer_at (LaminaComparePage *self, guint position)
{
  if (position >= self->layers->len)
    return NULL;
  return lamina_compare_session_get_layer (self->session, g_array_index (self->layers, guint, position));
}

static const LaminaCompareLayer *
selected_layer (LaminaComparePage *self)
{
  return layer_at (self, gtk_drop_down_get_selected (self->layer_dropdown));
}

static void
draw_legend (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  LaminaComparePage *self = data;
  const LaminaCompareLayer *l = selected_layer (self);
  int channel = (int) gtk_adjustment_get_value (self->channel_adjustment);
  g_autofree char *title = NULL;

  if (self->map == NULL || l == NULL)
    return;
  /* numbered as the spin button counts them, from 1 */
  if (channel > 0)
    title = g_strdup_printf (_("|float − fixed| of %s, channel %d of %d"), l->pair->flt->name, channel,
                             (int) gtk_adjustment_get_upper (self->channel_adjustment));
  else
    title = g_strdup_printf (_("mean |float − fixed| of %s"), l->pair->flt->name);
  lamina_error_map_draw_legend (cr, self->map->max, title, 0, 0, w, LEGEND_FONT_PX);
}

/* "1050 → 1050_quantized", then "SQNR 20.73 dB · cosine 0.9958 · max
 * |error| 0.449 · 1×72×22×22" (the list shows long names ellipsized). */
static void
update_layer_label (LaminaComparePage *self, const LaminaCompareLayer *l, const LaminaValue *value)
{
  g_autofree char *dims = NULL, *text = NULL;

  if (l == NULL)
    {
      gboolean none = self->layers->len == 0 && lamina_compare_session_get_result (self->session) != NULL;
      gtk_label_set_text (self->layer_label, none ? _("No layer has an image-like output to map") : "");
      return;
    }
  dims = lamina_format_dims (value->rank, value->dims);
  text = g_strdup_printf (_("%s → %s\nSQNR %.2f dB · cosine %.4f · max |error| %.3g · %s"), l->pair->flt->name,
                          l->pair->fixed->name, l->metrics.sqnr_db, l->metrics.cosine, l->metrics.max_abs, dims);
  gtk_label_set_text (self->layer_label, text);
}

/* The channel spin button goes to the layer's channel count. */
static void
update_channels (LaminaComparePage *self, const LaminaValue *value)
{
  gboolean nhwc = lamina_pipeline_is_nhwc (lamina_compare_session_get_result (self->session)->flt);
  double channels = value ? (double) (nhwc ? value->dims[3] : value->dims[1]) : 0;

  self->filling = TRUE;
  gtk_adjustment_set_upper (self->channel_adjustment, channels);
  if (gtk_adjustment_get_value (self->channel_adjustment) > channels)
    gtk_adjustment_set_value (self->channel_adjustment, 0);
  self->filling = FALSE;
}

/* An identity transform: the surface covers the whole image. */
static void
image_transform (const LaminaImage *image, LaminaTransform *t)
{
  *t = (LaminaTransform) { image->width, image->height, image->width, image->height, image->width, image->height,
                           0, 0, 1, 1, 0, 0 };
}

static void
update_heatmap (LaminaComparePage *self)
{
  const LaminaCompareLayer *l = selected_layer (self);
  const LaminaImage *image = lamina_compare_session_get_image (self->session);
  const LaminaValue *f = NULL, *x = NULL;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface = NULL;
  LaminaTransform identity;
  double scale;

  if (self->filling)
    return;
  g_clear_pointer (&self->map, lamina_error_map_free);
  if (l != NULL)
    lamina_compare_session_get_values (self->session, l->pair, &f, &x);
  update_layer_label (self, l, f);
  if (l != NULL)
    update_channels (self, f);
  if (l != NULL && image != NULL && gtk_check_button_get_active (self->heatmap_check))
    {
      scale = MIN (1.0, (double) HEATMAP_MAX_SIDE / MAX (image->width, image->height));
      self->map = lamina_compare_session_error_map (self->session, l->pair,
                                                   (int) gtk_adjustment_get_value (self->channel_adjustment) - 1, &error);
      if (self->map != NULL)
        surface = lamina_error_map_render (self->map, lamina_compare_session_get_transform (self->session),
                                           MAX ((int) (image->width * scale), 1), MAX ((int) (image->height * scale), 1),
                                           &error);
      if (error != NULL)
        gtk_label_set_text (self->layer_label, error->message);
    }
  if (surface != NULL)
    {
      image_transform (image, &identity);
      lamina_image_view_set_overlay (self->fixed_view, surface, &identity);
      cairo_surface_destroy (surface);
    }
  else
    lamina_image_view_set_overlay (self->fixed_view, NULL, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->legend_area), surface != NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self->legend_area));
}

/* ---- layer list ------------------------------------------------------------------------------ */

static void
setup_layer (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *name = gtk_label_new (NULL), *sqnr = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_width_chars (GTK_LABEL (name), 12);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (sqnr, "numeric");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), sqnr);
  gtk_list_item_set_child (item, box);
}

/* "▼ 1050   20.73 dB" for the worst layers, in the error colour. */
static void
bind_layer (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  LaminaComparePage *self = data;
  guint position = gtk_list_item_get_position (item);
  const LaminaCompareLayer *l = layer_at (self, position);
  GtkWidget *name = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *sqnr = gtk_widget_get_next_sibling (name);
  gboolean worst = position < self->layers->len &&
                   g_hash_table_contains (self->worst, GUINT_TO_POINTER (g_array_index (self->layers, guint, position)));
  g_autofree char *title = NULL, *db = NULL;

  if (l == NULL)
    return;
  title = worst ? g_strdup_printf ("▼ %s", l->pair->flt->name) : g_strdup (l->pair->flt->name);
  db = g_strdup_printf (_("%.1f dB"), l->metrics.sqnr_db);
  gtk_label_set_text (GTK_LABEL (name), title);
  gtk_label_set_text (GTK_LABEL (sqnr), db);
  gtk_widget_set_tooltip_text (name, l->pair->flt->name);
  if (worst)
    gtk_widget_add_css_class (sqnr, "error");
  else
    gtk_widget_remove_css_class (sqnr, "error");
}

static gint
by_sqnr (gconstpointer a, gconstpointer b, gpointer data)
{
  LaminaComparePage *self = data;
  double x = lamina_compare_session_get_layer (self->session, *(const guint *) a)->metrics.sqnr_db;
  double y = lamina_compare_session_get_layer (self->session, *(const guint *) b)->metrics.sqnr_db;

  return (x > y) - (x < y);
}

/* The layers an error map can be drawn for (feature maps of the image),
 * in graph order, and the N_WORST of them by SQNR. */
static void
fill_layers (LaminaComparePage *self)
{
  const LaminaCompare *result = lamina_compare_session_get_result (self->session);
  g_autoptr(GArray) sorted = NULL;

  g_array_set_size (self->layers, 0);
  g_hash_table_remove_all (self->worst);
  for (guint i = 0; result != NULL && i < result->layers->len; i++)
    if (lamina_compare_has_error_map (result, g_array_index (result->layers, LaminaCompareLayer, i).pair))
      g_array_append_val (self->layers, i);
  sorted = g_array_copy (self->layers);
  g_array_sort_with_data (sorted, by_sqnr, self);
  for (guint i = 0; i < MIN (sorted->len, N_WORST); i++)
    g_hash_table_add (self->worst, GUINT_TO_POINTER (g_array_index (sorted, guint, i)));
}

static guint
layer_position (LaminaComparePage *self, const LaminaCompareLayer *l)
{
  for (guint i = 0; l != NULL && i < self->layers->len; i++)
    if (layer_at (self, i) == l)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static void
on_layer_selected (LaminaComparePage *self)
{
  const LaminaCompareLayer *l = selected_layer (self);
  guint position = gtk_drop_down_get_selected (self->layer_dropdown);

  if (self->filling)
    return;
  if (l != NULL)
    {
      g_free (self->layer_name);
      self->layer_name = g_strdup (l->pair->flt->name);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->prev_button), l != NULL && position > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), l != NULL && position + 1 < self->layers->len);
  update_heatmap (self);
  if (l != NULL)
    g_signal_emit (self, signals[LAYER_CHANGED], 0, l->pair->flt, l->pair->fixed);
}

static void
select_position (LaminaComparePage *self, guint position)
{
  if (position == gtk_drop_down_get_selected (self->layer_dropdown))
    on_layer_selected (self);
  else
    gtk_drop_down_set_selected (self->layer_dropdown, position);
}

static void
on_step_layer (GtkButton *button, LaminaComparePage *self)
{
  guint position = gtk_drop_down_get_selected (self->layer_dropdown);

  if (position == GTK_INVALID_LIST_POSITION)
    return;
  if (button == self->prev_button && position > 0)
    select_position (self, position - 1);
  else if (button == self->next_button && position + 1 < self->layers->len)
    select_position (self, position + 1);
}

static void
on_worst (LaminaComparePage *self)
{
  const LaminaCompare *result = lamina_compare_session_get_result (self->session);

  if (result != NULL)
    select_position (self, layer_position (self, lamina_compare_worst_layer (result)));
}

/* After a run: the same layer when it is still there, else the worst. */
static void
refresh_layers (LaminaComparePage *self)
{
  const LaminaCompare *result = lamina_compare_session_get_result (self->session);
  guint position = GTK_INVALID_LIST_POSITION;

  self->filling = TRUE;
  fill_layers (self);
  lamina_index_model_set_n_items (self->layer_model, self->layers->len);
  if (result != NULL)
    {
      position = layer_position (self, lamina_compare_find_layer (result, self->layer_name));
      if (position == GTK_INVALID_LIST_POSITION)
        position = layer_position (self, lamina_compare_worst_layer (result));
    }
  gtk_drop_down_set_selected (self->layer_dropdown, position);
  self->filling = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->worst_button), self->layers->len > 0);
  on_layer_selected (self);
}

/* ---- the session ------------------------------------------------------------------------------ */

static void
update_titles (LaminaComparePage *self)
{
  LaminaDocument *docs[N_PANES] = { lamina_compare_session_get_float (self->session),
                                    lamina_compare_session_get_fixed (self->session) };
  GtkLabel *labels[N_PANES] = { self->float_title, self->fixed_title };
  const char *kinds[N_PANES] = { _("Float"), _("Fixed") };

  for (guint p = 0; p < N_PANES; p++)
    {
      g_autofree char *text = docs[p] ? g_strdup_printf ("%s · %s", kinds[p], lamina_document_get_title (docs[p]))
                                      : g_strdup (kinds[p]);
      gtk_label_set_text (labels[p], text);
    }
}

static void
on_running (LaminaComparePage *self)
{
  gboolean running = lamina_compare_session_is_running (self->session);
  const LaminaImage *image = lamina_compare_session_get_image (self->session);

  gtk_widget_set_visible (self->busy_box, running);
  gtk_progress_bar_set_fraction (self->progress_bar, lamina_compare_session_get_fraction (self->session));
  gtk_widget_set_visible (GTK_WIDGET (self->empty_page), image == NULL);
  if (running)
    {
      /* the new image at once, its boxes once both models have run */
      g_array_set_size (self->rows, 0);
      fill_panes (self);
      lamina_index_model_set_n_items (self->row_model, 0);
      lamina_image_view_set_image (self->float_view, image);
      lamina_image_view_set_image (self->fixed_view, image);
      g_clear_pointer (&self->map, lamina_error_map_free);
      gtk_widget_set_visible (GTK_WIDGET (self->legend_area), FALSE);
    }
}

static void
on_fraction (LaminaComparePage *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar, lamina_compare_session_get_fraction (self->session));
}

static void
fill_thresholds (LaminaComparePage *self)
{
  double score, iou;

  lamina_compare_session_get_thresholds (self->session, &score, &iou);
  self->filling = TRUE;
  gtk_adjustment_set_value (self->score_adjustment, score);
  gtk_adjustment_set_value (self->iou_adjustment, iou);
  self->filling = FALSE;
}

static void
on_finished (LaminaComparePage *self, const char *message)
{
  const LaminaImage *image = lamina_compare_session_get_image (self->session);

  /* a failed run keeps the previous result, of another image: show that */
  if (message != NULL && lamina_compare_session_get_result (self->session) == NULL)
    image = NULL;
  fill_thresholds (self);
  refresh_detections (self);
  refresh_layers (self);
  /* thresholds and layers are the result's: nothing to set before one */
  gtk_widget_set_sensitive (self->results_box, lamina_compare_session_get_result (self->session) != NULL);
  if (message != NULL)
    {
      gtk_label_set_text (self->problem_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->problem_label), TRUE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->empty_page), image == NULL);
}

/* Models changed: nothing to show until the next run. */
static void
on_ready (LaminaComparePage *self)
{
  lamina_image_view_set_image (self->float_view, NULL);
  lamina_image_view_set_image (self->fixed_view, NULL);
  update_titles (self);
  on_finished (self, NULL);
}

/* New thresholds, from the sliders or the window's actions. */
static void
on_detections_changed (LaminaComparePage *self)
{
  fill_thresholds (self);
  refresh_detections (self);
}

static void
on_thresholds_changed (LaminaComparePage *self)
{
  if (!self->filling)
    lamina_compare_session_set_thresholds (self->session, gtk_adjustment_get_value (self->score_adjustment),
                                           gtk_adjustment_get_value (self->iou_adjustment));
}

static void
on_opacity_changed (LaminaComparePage *self)
{
  lamina_image_view_set_overlay_opacity (self->fixed_view, gtk_adjustment_get_value (self->opacity_adjustment));
}

static void
on_cancel (LaminaComparePage *self)
{
  lamina_compare_session_cancel (self->session);
}

/* Both panes show the same part of the image: a move in one is copied to
 * the other (the panes have the same size). */
static void
on_viewport_changed (LaminaViewport *from, LaminaComparePage *self)
{
  LaminaViewport *a = lamina_image_view_get_viewport (self->float_view);
  LaminaViewport *to = from == a ? lamina_image_view_get_viewport (self->fixed_view) : a;
  double x, y, w, h;

  if (self->syncing_views)
    return;
  self->syncing_views = TRUE;
  lamina_viewport_get_visible (from, &x, &y, &w, &h);
  lamina_viewport_set_zoom (to, lamina_viewport_get_zoom (from));
  lamina_viewport_center_on (to, x + w / 2, y + h / 2);
  self->syncing_views = FALSE;
}

/* ---- public ------------------------------------------------------------------------------------ */

void
lamina_compare_page_set_session (LaminaComparePage *self, LaminaCompareSession *session)
{
  g_return_if_fail (LAMINA_IS_COMPARE_PAGE (self));
  g_return_if_fail (LAMINA_IS_COMPARE_SESSION (session));

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  g_signal_connect_swapped (session, "notify::running", G_CALLBACK (on_running), self);
  g_signal_connect_swapped (session, "notify::fraction", G_CALLBACK (on_fraction), self);
  g_signal_connect_swapped (session, "notify::ready", G_CALLBACK (on_ready), self);
  g_signal_connect_swapped (session, "finished", G_CALLBACK (on_finished), self);
  g_signal_connect_swapped (session, "detections-changed", G_CALLBACK (on_detections_changed), self);
  on_ready (self);
  on_running (self);
}

guint
lamina_compare_page_count_rows (LaminaComparePage *self, LaminaCompareStatus status)
{
  guint n = 0;

  g_return_val_if_fail (LAMINA_IS_COMPARE_PAGE (self), 0);
  for (guint r = 0; r < self->rows->len; r++)
    n += g_array_index (self->rows, Row, r).status == status;
  return n;
}

GtkSingleSelection *
lamina_compare_page_get_selection (LaminaComparePage *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_PAGE (self), NULL);
  return self->selection;
}

LaminaImageView *
lamina_compare_page_get_view (LaminaComparePage *self, gboolean fixed)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_PAGE (self), NULL);
  return fixed ? self->fixed_view : self->float_view;
}

gboolean
lamina_compare_page_select_layer (LaminaComparePage *self, const char *name)
{
  const LaminaCompare *result;
  guint position;

  g_return_val_if_fail (LAMINA_IS_COMPARE_PAGE (self), FALSE);
  result = self->session ? lamina_compare_session_get_result (self->session) : NULL;
  if (result == NULL)
    {
      /* before the first result: taken when it comes */
      g_free (self->layer_name);
      self->layer_name = g_strdup (name);
      return FALSE;
    }
  position = layer_position (self, lamina_compare_find_layer (result, name));
  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;
  select_position (self, position);
  return TRUE;
}

const char *
lamina_compare_page_get_layer (LaminaComparePage *self)
{
  const LaminaCompareLayer *l;

  g_return_val_if_fail (LAMINA_IS_COMPARE_PAGE (self), NULL);
  l = self->session ? selected_layer (self) : NULL;
  return l ? l->pair->flt->name : NULL;
}

void
lamina_compare_page_set_channel (LaminaComparePage *self, int channel)
{
  g_return_if_fail (LAMINA_IS_COMPARE_PAGE (self));
  gtk_adjustment_set_value (self->channel_adjustment, channel);
}

void
lamina_compare_page_show_heatmap (LaminaComparePage *self, gboolean show)
{
  g_return_if_fail (LAMINA_IS_COMPARE_PAGE (self));
  gtk_check_button_set_active (self->heatmap_check, show);
}

gboolean
lamina_compare_page_has_heatmap (LaminaComparePage *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_PAGE (self), FALSE);
  return self->map != NULL;
}

void
lamina_compare_page_add_side_page (LaminaComparePage *self, GtkWidget *child, const char *name, const char *title)
{
  g_return_if_fail (LAMINA_IS_COMPARE_PAGE (self));
  gtk_stack_add_titled (self->side_stack, child, name, title);
  gtk_widget_set_visible (self->side_switcher, TRUE);
}

gboolean
lamina_compare_page_show_side_page (LaminaComparePage *self, const char *name)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_PAGE (self), FALSE);
  if (name == NULL || gtk_stack_get_child_by_name (self->side_stack, name) == NULL)
    return FALSE;
  gtk_stack_set_visible_child_name (self->side_stack, name);
  return TRUE;
}

/* ---- GObject ---------------------------------------------------------------------------------------- */

static void
lamina_compare_page_dispose (GObject *object)
{
  LaminaComparePage *self = LAMINA_COMPARE_PAGE (object);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->selection);
  g_clear_object (&self->row_model);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAMINA_TYPE_COMPARE_PAGE);
  G_OBJECT_CLASS (lamina_compare_page_parent_class)->dispose (object);
}

static void
lamina_compare_page_finalize (GObject *object)
{
  LaminaComparePage *self = LAMINA_COMPARE_PAGE (object);

  for (guint p = 0; p < N_PANES; p++)
    {
      pane_clear (&self->panes[p]);
      g_array_unref (self->panes[p].styles);
      g_array_unref (self->panes[p].row_of);
    }
  g_ptr_array_unref (self->chips);
  g_array_unref (self->rows);
  g_array_unref (self->layers);
  g_hash_table_unref (self->worst);
  g_clear_object (&self->layer_model);
  g_clear_pointer (&self->map, lamina_error_map_free);
  g_free (self->layer_name);
  G_OBJECT_CLASS (lamina_compare_page_parent_class)->finalize (object);
}

static void
lamina_compare_page_class_init (LaminaComparePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lamina_compare_page_dispose;
  object_class->finalize = lamina_compare_page_finalize;
  /**
   * LaminaComparePage::layer-changed:
   * @flt: (type gpointer): the float tensor of the heatmap's new layer
   * @fixed: (type gpointer): its fixed counterpart
   *
   * The heatmap's layer changed: the user picked it (the layer list, the
   * arrows, Worst Layer), lamina_compare_page_select_layer() or a new
   * result did.
   */
  signals[LAYER_CHANGED] = g_signal_new ("layer-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                         NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_POINTER);
  g_type_ensure (LAMINA_TYPE_IMAGE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/lamina/Lamina/lamina-compare-page.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, LaminaComparePage, name)
  CHILD (float_view);
  CHILD (fixed_view);
  CHILD (float_title);
  CHILD (fixed_title);
  CHILD (legend_area);
  CHILD (empty_page);
  CHILD (busy_box);
  CHILD (progress_bar);
  CHILD (cancel_button);
  CHILD (side_switcher);
  CHILD (side_stack);
  CHILD (summary_label);
  CHILD (detail_label);
  CHILD (problem_label);
  CHILD (results_box);
  CHILD (score_adjustment);
  CHILD (iou_adjustment);
  CHILD (diff_list);
  CHILD (heatmap_check);
  CHILD (layer_dropdown);
  CHILD (prev_button);
  CHILD (next_button);
  CHILD (worst_button);
  CHILD (layer_label);
  CHILD (channel_adjustment);
  CHILD (opacity_adjustment);
#undef CHILD
}

static void
setup_lists (LaminaComparePage *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  self->row_model = lamina_index_model_new (0);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->row_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->diff_list, GTK_SELECTION_MODEL (self->selection));
  add_column (self, "#", COL_NUMBER, FALSE);
  add_column (self, _("Class"), COL_CLASS, TRUE);
  add_column (self, _("Float"), COL_FLOAT, FALSE);
  add_column (self, _("Fixed"), COL_FIXED, FALSE);
  add_column (self, _("IoU"), COL_IOU, FALSE);
  add_column (self, _("Status"), COL_STATUS, FALSE);

  self->layer_model = lamina_index_model_new (0);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_layer), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_layer), self);
  gtk_drop_down_set_factory (self->layer_dropdown, factory);
  gtk_drop_down_set_model (self->layer_dropdown, G_LIST_MODEL (self->layer_model));
  g_object_unref (factory);
}

static void
connect_signals (LaminaComparePage *self)
{
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (on_row_selected), self);
  g_signal_connect (self->float_view, "notify::selected", G_CALLBACK (on_box_selected), self);
  g_signal_connect (self->fixed_view, "notify::selected", G_CALLBACK (on_box_selected), self);
  g_signal_connect_object (lamina_image_view_get_viewport (self->float_view), "changed",
                           G_CALLBACK (on_viewport_changed), self, 0);
  g_signal_connect_object (lamina_image_view_get_viewport (self->fixed_view), "changed",
                           G_CALLBACK (on_viewport_changed), self, 0);
  g_signal_connect_swapped (self->score_adjustment, "value-changed", G_CALLBACK (on_thresholds_changed), self);
  g_signal_connect_swapped (self->iou_adjustment, "value-changed", G_CALLBACK (on_thresholds_changed), self);
  g_signal_connect_swapped (self->layer_dropdown, "notify::selected", G_CALLBACK (on_layer_selected), self);
  g_signal_connect (self->prev_button, "clicked", G_CALLBACK (on_step_layer), self);
  g_signal_connect (self->next_button, "clicked", G_CALLBACK (on_step_layer), self);
  g_signal_connect_swapped (self->worst_button, "clicked", G_CALLBACK (on_worst), self);
  g_signal_connect_swapped (self->heatmap_check, "toggled", G_CALLBACK (update_heatmap), self);
  g_signal_connect_swapped (self->channel_adjustment, "value-changed", G_CALLBACK (update_heatmap), self);
  g_signal_connect_swapped (self->opacity_adjustment, "value-changed", G_CALLBACK (on_opacity_changed), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (on_cancel), self);
}

static void
lamina_compare_page_init (LaminaComparePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_array_new (FALSE, FALSE, sizeof (Row));
  self->chips = g_ptr_array_new_with_free_func (g_free);
  self->layers = g_array_new (FALSE, FALSE, sizeof (guint));
  self->worst = g_hash_table_new (NULL, NULL);
  for (guint p = 0; p < N_PANES; p++)
    {
      self->panes[p].styles = g_array_new (FALSE, FALSE, sizeof (LaminaAnnotateStyle));
      self->panes[p].row_of = g_array_new (FALSE, FALSE, sizeof (int));
    }
  setup_lists (self);
  gtk_drawing_area_set_draw_func (self->legend_area, draw_legend, self, NULL);
  connect_signals (self);
  on_opacity_changed (self);
}
