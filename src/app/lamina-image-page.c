/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-image-page.c: the Image page (see lamina-image-page.h).
 *
 * Threshold changes decode the kept model outputs again on the main thread:
 * lamina_decode + NMS take a few milliseconds even for YOLOv5's 25200 rows
 * (the time is logged with G_MESSAGES_DEBUG=lamina-image-page).
 */
#define G_LOG_DOMAIN "lamina-image-page"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-image-page.h"
#include "lamina-feature-map.h"
#include "lamina-index-model.h"
#include "vision/lamina-annotate.h"
#include "vision/lamina-decode.h"
#include "vision/lamina-preset.h"
#include "lamina-column.h"

struct _LaminaImagePage
{
  AdwBin              parent_instance;

  /* template */
  LaminaImageView    *image_view;
  AdwStatusPage      *empty_page;
  GtkWidget          *busy_box;
  GtkSpinner         *busy_spinner;
  GtkLabel           *summary_label;
  GtkLabel           *problem_label;
  GtkAdjustment      *score_adjustment;
  GtkAdjustment      *iou_adjustment;
  GtkCheckButton     *labels_check;
  GtkFlowBox         *class_box;
  GtkCheckButton     *overlay_check;
  GtkLabel           *overlay_label;
  GtkAdjustment      *channel_adjustment;
  GtkAdjustment      *opacity_adjustment;
  GtkColumnView      *detection_list;

  LaminaDocument     *document;     /* keeps the graph the outputs' quant points into */
  LaminaPreset       *preset;
  char               *preset_problem;
  char               *decode_problem;
  LaminaImage        *image;
  LaminaTransform     transform;
  GPtrArray          *outputs;      /* LaminaValue*, NULL before a run */
  LaminaDetections   *dets;
  gboolean           *shown;        /* per detection: its class is visible */
  GHashTable         *hidden;       /* class_id + 1 of hidden classes */
  LaminaIndexModel   *rows;
  GtkSingleSelection *selection;
  LaminaValue         feature;
  gboolean            feature_nhwc;
  gboolean            syncing;      /* list ↔ image selection in progress */
};

G_DEFINE_FINAL_TYPE (LaminaImagePage, lamina_image_page, ADW_TYPE_BIN)

static void
free_value (gpointer data)
{
  lamina_value_clear (data);
  g_free (data);
}

/* ---- labels ------------------------------------------------------------------ */

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
row_detection (LaminaImagePage *self, guint position)
{
  int index = lamina_image_view_shown_index (self->image_view, position);

  return index >= 0 && self->dets != NULL ? &self->dets->items[index] : NULL;
}

/* ---- detection list -------------------------------------------------------------- */

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (data) == 0 ? 0 : 1);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (GPOINTER_TO_INT (data) != 0)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  LaminaImagePage *self = g_object_get_data (G_OBJECT (factory), "page");
  const LaminaDetection *d = row_detection (self, gtk_list_item_get_position (item));
  g_autofree char *text = NULL;

  if (d == NULL)
    text = g_strdup ("");
  else if (GPOINTER_TO_INT (data) == 0)
    text = class_name (d);
  else if (GPOINTER_TO_INT (data) == 1)
    text = g_strdup_printf ("%.3f", d->score);
  else
    text = g_strdup_printf ("%.0f, %.0f, %.0f, %.0f", d->x0, d->y0, d->x1, d->y1);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
add_column (LaminaImagePage *self, const char *title, int which, gboolean expand)
{
  GtkColumnViewColumn *column = lamina_column_append (self->detection_list, title, expand, G_CALLBACK (setup_cell),
                                                      G_CALLBACK (bind_cell), NULL, GINT_TO_POINTER (which));

  g_object_set_data (G_OBJECT (gtk_column_view_column_get_factory (column)), "page", self);
}

static void
on_row_selected (LaminaImagePage *self)
{
  guint position = gtk_single_selection_get_selected (self->selection);

  if (self->syncing)
    return;
  self->syncing = TRUE;
  lamina_image_view_set_selected (self->image_view, position == GTK_INVALID_LIST_POSITION ? -1
                                  : lamina_image_view_shown_index (self->image_view, position));
  self->syncing = FALSE;
}

static void
on_box_selected (LaminaImagePage *self)
{
  int index = lamina_image_view_get_selected (self->image_view);
  guint position = GTK_INVALID_LIST_POSITION;

  if (self->syncing)
    return;
  for (guint i = 0; index >= 0 && lamina_image_view_shown_index (self->image_view, i) >= 0; i++)
    if (lamina_image_view_shown_index (self->image_view, i) == index)
      position = i;
  self->syncing = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  if (position != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (GTK_WIDGET (self->detection_list), "list.scroll-to-item", "u", position);
  self->syncing = FALSE;
}

/* ---- class toggles ------------------------------------------------------------------ */

static void
draw_swatch (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  double rgb[3];

  lamina_annotate_class_color (GPOINTER_TO_INT (data), rgb);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_rectangle (cr, 0, 0, w, h);
  cairo_fill (cr);
}

static void apply_visibility (LaminaImagePage *self);

static void
on_class_toggled (GtkCheckButton *check, LaminaImagePage *self)
{
  int id = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (check), "class-id"));

  if (gtk_check_button_get_active (check))
    g_hash_table_remove (self->hidden, GINT_TO_POINTER (id + 1));
  else
    g_hash_table_add (self->hidden, GINT_TO_POINTER (id + 1));
  apply_visibility (self);
}

/* "■ person (4)": one toggle per class present. */
static GtkWidget *
class_toggle (LaminaImagePage *self, const LaminaDetection *d, guint count)
{
  g_autofree char *name = d->label ? g_strdup (d->label) : g_strdup_printf (_("class %d"), d->class_id);
  g_autofree char *text = g_strdup_printf ("%s (%u)", name, count);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *swatch = gtk_drawing_area_new ();
  GtkWidget *check = gtk_check_button_new ();

  gtk_widget_set_size_request (swatch, 10, 10);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, GINT_TO_POINTER (d->class_id), NULL);
  gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), gtk_label_new (text));
  gtk_check_button_set_child (GTK_CHECK_BUTTON (check), box);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                               !g_hash_table_contains (self->hidden, GINT_TO_POINTER (d->class_id + 1)));
  g_object_set_data (G_OBJECT (check), "class-id", GINT_TO_POINTER (d->class_id));
  g_signal_connect (check, "toggled", G_CALLBACK (on_class_toggled), self);
  return check;
}

/* Recognised text (CTC) has a class per line: no toggles for it. */
static void
fill_class_box (LaminaImagePage *self)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->class_box))))
    gtk_flow_box_remove (self->class_box, child);
  for (guint i = 0; self->dets != NULL && i < self->dets->len; i++)
    {
      gpointer key = GINT_TO_POINTER (self->dets->items[i].class_id + 1);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));
      if (n == 0)
        g_array_append_val (order, i);
      g_hash_table_insert (counts, key, GUINT_TO_POINTER (n + 1));
    }
  for (guint k = 0; k < order->len && self->dets->items[0].text == NULL; k++)
    {
      const LaminaDetection *d = &self->dets->items[g_array_index (order, guint, k)];
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GINT_TO_POINTER (d->class_id + 1)));
      gtk_flow_box_append (self->class_box, class_toggle (self, d, n));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->class_box), order->len > 1 || g_hash_table_size (self->hidden) > 0);
}

/* ---- showing ------------------------------------------------------------------------ */

static void
update_summary (LaminaImagePage *self)
{
  const char *problem = lamina_image_page_get_problem (self);
  guint shown = lamina_image_view_get_shown (self->image_view)->len;
  g_autofree char *text = NULL;

  if (self->dets == NULL)
    text = g_strdup (self->preset ? self->preset->name : _("No preset"));
  else if (shown < self->dets->len)
    text = g_strdup_printf (ngettext ("%u of %u detection · %s", "%u of %u detections · %s", self->dets->len),
                            shown, self->dets->len, self->preset->name);
  else
    text = g_strdup_printf (ngettext ("%u detection · %s", "%u detections · %s", shown), shown, self->preset->name);
  gtk_label_set_text (self->summary_label, text);
  gtk_label_set_text (self->problem_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
}

/* Hands the visible detections to the view and the list. */
static void
apply_visibility (LaminaImagePage *self)
{
  guint n = self->dets ? self->dets->len : 0;

  g_free (self->shown);
  self->shown = g_new0 (gboolean, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    self->shown[i] = !g_hash_table_contains (self->hidden, GINT_TO_POINTER (self->dets->items[i].class_id + 1));
  self->syncing = TRUE;
  lamina_image_view_set_detections (self->image_view, self->dets, self->shown);
  lamina_index_model_set_n_items (self->rows, lamina_image_view_get_shown (self->image_view)->len);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  self->syncing = FALSE;
  update_summary (self);
}

static void
decode (LaminaImagePage *self)
{
  LaminaPostprocessConfig config;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_clear_pointer (&self->dets, lamina_detections_free);
  g_clear_pointer (&self->decode_problem, g_free);
  if (self->outputs != NULL && self->preset != NULL && self->preset->post.decoder != LAMINA_DECODER_NONE)
    {
      lamina_postprocess_config_with_thresholds (&config, &self->preset->post,
                                                 gtk_adjustment_get_value (self->score_adjustment),
                                                 gtk_adjustment_get_value (self->iou_adjustment));
      self->dets = lamina_decode (&config, (const LaminaValue *const *) self->outputs->pdata, self->outputs->len,
                                  &self->transform, &error);
      lamina_postprocess_config_clear (&config);
      if (self->dets == NULL)
        self->decode_problem = g_strdup (error->message);
      g_debug ("decode + NMS: %.2f ms", (g_get_monotonic_time () - start) / 1000.0);
    }
  fill_class_box (self);
  apply_visibility (self);
}

/* ---- feature overlay ----------------------------------------------------------------------- */

static double
feature_at (const LaminaValue *v, gboolean nhwc, gint64 c, gint64 y, gint64 x)
{
  gint64 C = nhwc ? v->dims[3] : v->dims[1], H = nhwc ? v->dims[1] : v->dims[2], W = nhwc ? v->dims[2] : v->dims[3];
  gint64 i = nhwc ? (y * W + x) * C + c : (c * H + y) * W + x;

  return v->dtype == LAMINA_DTYPE_FLOAT32 ? LAMINA_VALUE_F32 (v)[i] : lamina_value_get_double (v, i);
}

/* One channel (or the mean of all: channel < 0) as a plane of doubles. */
static double *
feature_plane (const LaminaValue *v, gboolean nhwc, int channel, int *w, int *h)
{
  gint64 C = nhwc ? v->dims[3] : v->dims[1];
  double *plane;

  *h = (int) (nhwc ? v->dims[1] : v->dims[2]);
  *w = (int) (nhwc ? v->dims[2] : v->dims[3]);
  plane = g_new0 (double, (gsize) *w * *h);
  for (gint64 y = 0; y < *h; y++)
    for (gint64 x = 0; x < *w; x++)
      {
        double sum = 0;
        if (channel >= 0)
          sum = feature_at (v, nhwc, channel, y, x);
        else
          for (gint64 c = 0; c < C; c++)
            sum += feature_at (v, nhwc, c, y, x) / C;
        plane[y * *w + x] = sum;
      }
  return plane;
}

/* Viridis from the plane's minimum to its maximum (finite values). */
static cairo_surface_t *
colour_plane (const double *plane, int w, int h)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  for (gsize i = 0; i < (gsize) w * h; i++)
    if (isfinite (plane[i]))
      {
        lo = MIN (lo, plane[i]);
        hi = MAX (hi, plane[i]);
      }
  cairo_surface_flush (surface);
  for (int y = 0; data != NULL && y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double t = hi > lo ? (plane[y * w + x] - lo) / (hi - lo) : 0;
        guint8 r, g, b;
        lamina_viridis (t, &r, &g, &b);
        ((guint32 *) (data + (gsize) y * stride))[x] = 0xff000000u | (guint32) r << 16 | (guint32) g << 8 | b;
      }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static void
on_opacity_changed (LaminaImagePage *self)
{
  lamina_image_view_set_overlay_opacity (self->image_view, gtk_adjustment_get_value (self->opacity_adjustment));
}

static void
update_overlay (LaminaImagePage *self)
{
  gboolean on = gtk_check_button_get_active (self->overlay_check) && self->feature.data != NULL && self->image != NULL;
  g_autofree double *plane = NULL;
  cairo_surface_t *surface;
  int w, h;

  if (!on)
    {
      lamina_image_view_set_overlay (self->image_view, NULL, NULL);
      return;
    }
  plane = feature_plane (&self->feature, self->feature_nhwc, (int) gtk_adjustment_get_value (self->channel_adjustment) - 1, &w, &h);
  surface = colour_plane (plane, w, h);
  lamina_image_view_set_overlay (self->image_view, surface, &self->transform);
  cairo_surface_destroy (surface);
}

/* ---- public ------------------------------------------------------------------------------ */

static void
clear_results (LaminaImagePage *self)
{
  g_clear_pointer (&self->outputs, g_ptr_array_unref);
  lamina_image_page_set_feature (self, NULL, FALSE, NULL);
  decode (self);
}

void
lamina_image_page_set_document (LaminaImagePage *self, LaminaDocument *document)
{
  g_autoptr(GError) error = NULL;
  const LaminaModel *model;

  g_return_if_fail (LAMINA_IS_IMAGE_PAGE (self));
  g_clear_pointer (&self->preset, lamina_preset_free);
  g_clear_pointer (&self->preset_problem, g_free);
  g_clear_pointer (&self->image, lamina_image_free);
  clear_results (self);
  g_set_object (&self->document, document);
  lamina_image_view_set_image (self->image_view, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_page), TRUE);
  if (document == NULL)
    return;
  model = lamina_document_get_model (document);
  self->preset = lamina_preset_find (model->path, model->graph, NULL, &error);
  if (error != NULL)
    self->preset_problem = g_strdup (error->message);
  else if (self->preset == NULL)
    self->preset_problem = g_strdup (_("No preset matches this model: images are fed with the default preprocessing and nothing is decoded. Put a model.ini beside the model."));
  else if (self->preset->post.decoder == LAMINA_DECODER_NONE)
    self->preset_problem = g_strdup_printf (_("Preset “%s” has no [POSTPROCESS] decoder: nothing is decoded."), self->preset->name);
  if (self->preset != NULL)
    {
      gtk_adjustment_set_value (self->score_adjustment, lamina_postprocess_config_get_score (&self->preset->post));
      gtk_adjustment_set_value (self->iou_adjustment, self->preset->post.iou_threshold);
    }
  update_summary (self);
}

/* The preset's [INPUT_CONFIG] inputs= when the model has it, else the first. */
static const LaminaTensor *
image_input (LaminaImagePage *self, GError **error)
{
  LaminaGraph *graph = lamina_document_get_model (self->document)->graph;

  for (guint i = 0; self->preset && self->preset->input_name && i < graph->inputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (graph->inputs, i);
      if (g_strcmp0 (t->name, self->preset->input_name) == 0)
        return t;
    }
  if (graph->inputs->len > 0)
    return g_ptr_array_index (graph->inputs, 0);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("The model has no input"));
  return NULL;
}

gboolean
lamina_image_page_set_image (LaminaImagePage *self, LaminaImage *image, const LaminaTensor **input,
                             LaminaValue *value, GError **error)
{
  g_autoptr(LaminaImage) owned = image;
  LaminaPreprocessConfig defaults;
  LaminaTransform transform;

  g_return_val_if_fail (LAMINA_IS_IMAGE_PAGE (self), FALSE);
  g_return_val_if_fail (image != NULL, FALSE);
  if (self->document == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Open a model first"));
      return FALSE;
    }
  lamina_preprocess_config_init (&defaults);
  *input = image_input (self, error);
  if (*input == NULL ||
      !lamina_preprocess_image (image, self->preset ? &self->preset->pre : &defaults, *input, value, &transform, error))
    return FALSE;
  g_clear_pointer (&self->image, lamina_image_free);
  self->image = g_steal_pointer (&owned);
  self->transform = transform;
  clear_results (self);
  lamina_image_view_set_image (self->image_view, self->image);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_page), FALSE);
  return TRUE;
}

gboolean
lamina_image_page_has_image (LaminaImagePage *self)
{
  g_return_val_if_fail (LAMINA_IS_IMAGE_PAGE (self), FALSE);
  return self->image != NULL;
}

void
lamina_image_page_set_running (LaminaImagePage *self, gboolean running)
{
  g_return_if_fail (LAMINA_IS_IMAGE_PAGE (self));
  gtk_widget_set_visible (self->busy_box, running && self->image != NULL);
  gtk_spinner_set_spinning (self->busy_spinner, running && self->image != NULL);
}

void
lamina_image_page_set_outputs (LaminaImagePage *self, GPtrArray *outputs)
{
  g_return_if_fail (LAMINA_IS_IMAGE_PAGE (self));
  g_clear_pointer (&self->outputs, g_ptr_array_unref);
  self->outputs = outputs;
  if (outputs != NULL)
    g_ptr_array_set_free_func (outputs, free_value);
  decode (self);
}

void
lamina_image_page_set_feature (LaminaImagePage *self, const LaminaValue *value, gboolean nhwc, const char *name)
{
  gboolean usable = value != NULL && value->rank == 4 && value->numel > 0 && value->data != NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (LAMINA_IS_IMAGE_PAGE (self));
  lamina_value_clear (&self->feature);
  memset (&self->feature, 0, sizeof self->feature);
  if (usable &&
      lamina_value_set_shape (&self->feature, value->dtype, value->rank, value->dims, NULL) &&
      lamina_value_alloc (&self->feature, NULL))
    {
      memcpy (self->feature.data, value->data, (gsize) value->numel * lamina_dtype_size (value->dtype));
      self->feature.quant = value->quant;
    }
  self->feature_nhwc = nhwc;
  gtk_adjustment_set_upper (self->channel_adjustment,
                            self->feature.data ? (double) (nhwc ? value->dims[3] : value->dims[1]) : 0);
  if (self->feature.data != NULL)
    {
      guint channels = (guint) (nhwc ? value->dims[3] : value->dims[1]);
      text = g_strdup_printf (ngettext ("%s · %u channel", "%s · %u channels", channels), name ? name : "", channels);
    }
  else if (value != NULL)
    text = g_strdup (_("The current layer is not a 4-D feature map"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->overlay_check), self->feature.data != NULL);
  gtk_label_set_text (self->overlay_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->overlay_label), text != NULL);
  update_overlay (self);
}

gboolean
lamina_image_page_has_feature (LaminaImagePage *self)
{
  g_return_val_if_fail (LAMINA_IS_IMAGE_PAGE (self), FALSE);
  return self->feature.data != NULL;
}

void
lamina_image_page_show_feature (LaminaImagePage *self, gboolean show)
{
  g_return_if_fail (LAMINA_IS_IMAGE_PAGE (self));
  gtk_check_button_set_active (self->overlay_check, show);
}

void
lamina_image_page_set_score_threshold (LaminaImagePage *self, double score)
{
  g_return_if_fail (LAMINA_IS_IMAGE_PAGE (self));
  gtk_adjustment_set_value (self->score_adjustment, score);
}

void
lamina_image_page_set_iou_threshold (LaminaImagePage *self, double iou)
{
  g_return_if_fail (LAMINA_IS_IMAGE_PAGE (self));
  gtk_adjustment_set_value (self->iou_adjustment, iou);
}

const LaminaDetections *
lamina_image_page_get_detections (LaminaImagePage *self)
{
  g_return_val_if_fail (LAMINA_IS_IMAGE_PAGE (self), NULL);
  return self->dets;
}

GtkSingleSelection *
lamina_image_page_get_selection (LaminaImagePage *self)
{
  g_return_val_if_fail (LAMINA_IS_IMAGE_PAGE (self), NULL);
  return self->selection;
}

LaminaImageView *
lamina_image_page_get_view (LaminaImagePage *self)
{
  g_return_val_if_fail (LAMINA_IS_IMAGE_PAGE (self), NULL);
  return self->image_view;
}

void
lamina_image_page_set_class_visible (LaminaImagePage *self, int class_id, gboolean visible)
{
  g_return_if_fail (LAMINA_IS_IMAGE_PAGE (self));
  if (visible)
    g_hash_table_remove (self->hidden, GINT_TO_POINTER (class_id + 1));
  else
    g_hash_table_add (self->hidden, GINT_TO_POINTER (class_id + 1));
  fill_class_box (self);
  apply_visibility (self);
}

gboolean
lamina_image_page_export_png (LaminaImagePage *self, const char *path, GError **error)
{
  LaminaAnnotateOptions options;

  g_return_val_if_fail (LAMINA_IS_IMAGE_PAGE (self), FALSE);
  if (self->image == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no image to export"));
      return FALSE;
    }
  lamina_annotate_options_init (&options);
  options.labels = gtk_check_button_get_active (self->labels_check);
  return lamina_annotate_save_png (self->image, lamina_image_view_get_shown (self->image_view), &options, path, error);
}

const char *
lamina_image_page_get_problem (LaminaImagePage *self)
{
  g_return_val_if_fail (LAMINA_IS_IMAGE_PAGE (self), NULL);
  return self->decode_problem ? self->decode_problem : self->preset_problem;
}

/* ---- GObject ------------------------------------------------------------------------------ */

static void
on_labels_toggled (LaminaImagePage *self)
{
  lamina_image_view_set_labels (self->image_view, gtk_check_button_get_active (self->labels_check));
}

static void
lamina_image_page_dispose (GObject *object)
{
  LaminaImagePage *self = LAMINA_IMAGE_PAGE (object);

  g_clear_object (&self->selection);
  g_clear_object (&self->rows);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAMINA_TYPE_IMAGE_PAGE);
  G_OBJECT_CLASS (lamina_image_page_parent_class)->dispose (object);
}

static void
lamina_image_page_finalize (GObject *object)
{
  LaminaImagePage *self = LAMINA_IMAGE_PAGE (object);

  g_clear_pointer (&self->dets, lamina_detections_free);
  g_clear_pointer (&self->outputs, g_ptr_array_unref);
  g_clear_pointer (&self->preset, lamina_preset_free);
  g_clear_pointer (&self->image, lamina_image_free);
  lamina_value_clear (&self->feature);
  g_clear_object (&self->document);
  g_free (self->preset_problem);
  g_free (self->decode_problem);
  g_free (self->shown);
  g_hash_table_unref (self->hidden);
  G_OBJECT_CLASS (lamina_image_page_parent_class)->finalize (object);
}

static void
lamina_image_page_class_init (LaminaImagePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lamina_image_page_dispose;
  object_class->finalize = lamina_image_page_finalize;
  g_type_ensure (LAMINA_TYPE_IMAGE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/lamina/Lamina/lamina-image-page.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, LaminaImagePage, name)
  CHILD (image_view);
  CHILD (empty_page);
  CHILD (busy_box);
  CHILD (busy_spinner);
  CHILD (summary_label);
  CHILD (problem_label);
  CHILD (score_adjustment);
  CHILD (iou_adjustment);
  CHILD (labels_check);
  CHILD (class_box);
  CHILD (overlay_check);
  CHILD (overlay_label);
  CHILD (channel_adjustment);
  CHILD (opacity_adjustment);
  CHILD (detection_list);
#undef CHILD
}

static void
lamina_image_page_init (LaminaImagePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->hidden = g_hash_table_new (NULL, NULL);
  self->rows = lamina_index_model_new (0);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->detection_list, GTK_SELECTION_MODEL (self->selection));
  add_column (self, _("Class"), 0, TRUE);
  add_column (self, _("Score"), 1, FALSE);
  add_column (self, _("Box"), 2, FALSE);
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (on_row_selected), self);
  g_signal_connect_swapped (self->image_view, "notify::selected", G_CALLBACK (on_box_selected), self);
  g_signal_connect_swapped (self->score_adjustment, "value-changed", G_CALLBACK (decode), self);
  g_signal_connect_swapped (self->iou_adjustment, "value-changed", G_CALLBACK (decode), self);
  g_signal_connect_swapped (self->labels_check, "toggled", G_CALLBACK (on_labels_toggled), self);
  g_signal_connect_swapped (self->overlay_check, "toggled", G_CALLBACK (update_overlay), self);
  g_signal_connect_swapped (self->channel_adjustment, "value-changed", G_CALLBACK (update_overlay), self);
  g_signal_connect_swapped (self->opacity_adjustment, "value-changed", G_CALLBACK (on_opacity_changed), self);
  update_summary (self);
}
