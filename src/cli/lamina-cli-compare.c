/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli compare FLOAT FIXED (--image IMG ... | --images DIR ...) [--json]
 *                    [--heatmap LAYER [--channel C] -o HEAT.png|DIR] [--threads N]
 *
 * A float model and its fixed (quantized) counterpart on one image or many
 * (quant/lamina-compare.h, which the window's compare mode shares): each
 * through its own preset (the fixed model's input may be quantized uint8),
 * both run in the simulator with every matched tensor kept
 * (quant/lamina-match.h), then per pair the metrics of quant/lamina-metrics.h
 * and both sets of detections, matched within a class at IoU ≥ 0.5
 * (greedy, best IoU first).
 *
 * Several images (--image repeated, --images folders of .jpg/.jpeg/.png,
 * sorted by name): the metrics pool every element of every image
 * (LaminaMetricsAcc, as if the images were one long tensor; a pair that
 * cannot be measured on one of them is left out), the detections are
 * reported per image and in total. --json prints
 *
 *   {"inputs":["IMG",..],
 *    "layers":[{"float":"..","fixed":"..","cosine":..,"sqnr_db":..,"mse":..,
 *               "max_abs":..,"clipped":..}],          (fixed graph's order)
 *    "unmatched":[{"graph":"float"|"fixed","name":".."}],
 *    "detections":{"float":[..],"fixed":[..],"matched":N,"missed":N,"extra":N,
 *                  "mean_iou":..},                     (all images, lists in image order)
 *    "per_image":[{"image":"IMG","detections":{..the same, for that image..}}]}
 *
 * sqnr_db is null when the tensors are equal (+inf), mean_iou null when
 * nothing matched. Missed: float detections without a fixed partner;
 * extra: fixed ones without a float partner.
 *
 * --heatmap LAYER (a float or fixed tensor name of a matched pair, rank 4)
 * draws the image with that layer's error map over it (quant/lamina-heatmap.h,
 * in the float model's input geometry): the mean over the channels, or
 * channel C alone with --channel C. One image: -o is the PNG file; several:
 * -o is a folder that gets one PNG per image, named after the image.
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-cli.h"
#include "lamina-cli-detect.h"
#include "lamina-json.h"
#include "quant/lamina-calibrate.h"
#include "quant/lamina-compare.h"

typedef struct {
  char     **images, **folders;
  char      *float_preset, *fixed_preset, *heatmap, *output;
  gboolean   as_json;
  int        threads, channel;
} CompareOptions;

/* A pair's metrics pooled over the images. */
typedef struct {
  const LaminaMatchPair *pair;
  LaminaMetricsAcc       acc;
  gboolean               left_out;   /* not measurable on some image */
  LaminaMetrics          m;          /* of acc, after the last image */
} Layer;

/* One image's detections, taken over from the comparison after its run. */
typedef struct {
  const char           *path;        /* in Compare.inputs */
  LaminaDetections     *flt, *fixed;
  LaminaDetectionMatch *match;
} ImageDets;

/* Everything one comparison holds; freed by compare_clear. */
typedef struct {
  LaminaModel   *flt_model, *fixed_model;
  LaminaCompare *cmp;
  GPtrArray     *inputs;   /* char*: the image paths */
  GArray        *layers;   /* Layer, one per pair of cmp->match, same order */
  GArray        *images;   /* ImageDets, one per input */
  guint          n_flt, n_fixed, matched, missed, extra;   /* over all images */
  double         iou_sum;
} Compare;

static void
image_dets_clear (gpointer p)
{
  ImageDets *d = p;

  g_clear_pointer (&d->match, lamina_detection_match_free);
  g_clear_pointer (&d->fixed, lamina_detections_free);
  g_clear_pointer (&d->flt, lamina_detections_free);
}

static void
compare_clear (Compare *c)
{
  g_clear_pointer (&c->images, g_array_unref);
  g_clear_pointer (&c->layers, g_array_unref);
  g_clear_pointer (&c->inputs, g_ptr_array_unref);
  /* the comparison borrows the models */
  g_clear_pointer (&c->cmp, lamina_compare_free);
  g_clear_pointer (&c->fixed_model, lamina_model_free);
  g_clear_pointer (&c->flt_model, lamina_model_free);
}

/* ---- steps ------------------------------------------------------------------- */

static gboolean
is_image_name (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg") || g_str_has_suffix (lower, ".png");
}

/* The --image files as given, then the images of the --images folders
 * (the calibration lister's folder walk, .npy files skipped). */
static gboolean
list_images (Compare *c, const CompareOptions *o, GError **error)
{
  g_autoptr(GPtrArray) found = NULL;
  GError *local = NULL;

  c->inputs = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; o->images != NULL && o->images[i] != NULL; i++)
    g_ptr_array_add (c->inputs, g_strdup (o->images[i]));
  if (o->folders != NULL)
    {
      found = lamina_calibration_list_inputs ((const char *const *) o->folders, &local);
      /* a folder without images is reported below, in this command's words */
      if (found == NULL && !g_error_matches (local, LAMINA_CALIBRATE_ERROR, LAMINA_CALIBRATE_ERROR_NO_INPUTS))
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      g_clear_error (&local);
    }
  for (guint i = 0; found != NULL && i < found->len; i++)
    if (is_image_name (g_ptr_array_index (found, i)))
      g_ptr_array_add (c->inputs, g_strdup (g_ptr_array_index (found, i)));
  if (c->inputs->len > 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s", _("no images (.jpg, .jpeg or .png) were found"));
  return FALSE;
}

/* A model and its preset (the loaders' messages name the file; the others
 * get the model's path). */
static gboolean
load_model (const char *path, const char *preset_name, LaminaModel **model, LaminaPreset **preset,
            GError **error)
{
  if ((*model = lamina_model_load (path, error)) == NULL)
    return FALSE;
  if ((*preset = lamina_cli_find_decoding_preset (path, *model, preset_name, error)) != NULL)
    return TRUE;
  g_prefix_error (error, "%s: ", path);
  return FALSE;
}

static gboolean
load_both (Compare *c, const char *float_path, const char *fixed_path, const CompareOptions *o,
           GError **error)
{
  LaminaPreset *flt_preset = NULL, *fixed_preset = NULL;

  if (!load_model (float_path, o->float_preset, &c->flt_model, &flt_preset, error))
    return FALSE;
  if (!load_model (fixed_path, o->fixed_preset, &c->fixed_model, &fixed_preset, error))
    {
      lamina_preset_free (flt_preset);
      return FALSE;
    }
  c->cmp = lamina_compare_new (c->flt_model, flt_preset, c->fixed_model, fixed_preset, o->threads, error);
  if (c->cmp == NULL)
    return FALSE;
  c->layers = g_array_new (FALSE, TRUE, sizeof (Layer));
  for (guint i = 0; i < c->cmp->match->pairs->len; i++)
    {
      Layer l = { &g_array_index (c->cmp->match->pairs, LaminaMatchPair, i) };
      lamina_metrics_acc_init (&l.acc);
      g_array_append_val (c->layers, l);
    }
  c->images = g_array_new (FALSE, TRUE, sizeof (ImageDets));
  g_array_set_clear_func (c->images, image_dets_clear);
  return TRUE;
}

/* Adds this run's values of every pair the comparison could measure; the
 * others are left out for good (pooling over some of the images only
 * would mislead), with the comparison's reason on stderr. */
static void
pool_layers (Compare *c, const char *image)
{
  const LaminaCompare *cmp = c->cmp;
  g_autofree gboolean *measured = g_new0 (gboolean, c->layers->len + 1);

  for (guint i = 0; i < cmp->layers->len; i++)
    {
      const LaminaCompareLayer *l = &g_array_index (cmp->layers, LaminaCompareLayer, i);
      guint j = (guint) (l->pair - &g_array_index (cmp->match->pairs, LaminaMatchPair, 0));
      Layer *pooled = &g_array_index (c->layers, Layer, j);
      const LaminaValue *f, *x;

      /* measured by the comparison: both values exist and fit together */
      measured[j] = lamina_compare_get_values (cmp, l->pair, &f, &x) &&
                    lamina_metrics_add (&pooled->acc, f, x, l->pair->quant, NULL);
    }
  for (guint j = 0; j < c->layers->len; j++)
    g_array_index (c->layers, Layer, j).left_out |= !measured[j];
  for (guint i = 0; i < cmp->left_out->len; i++)
    {
      const char *why = g_ptr_array_index (cmp->left_out, i);
      g_autofree char *base = g_path_get_basename (image);
      g_autofree char *message = c->inputs->len > 1 ? g_strdup_printf ("%s: %s", base, why) : g_strdup (why);
      fprintf (stderr, _("lamina-cli compare: warning: %s\n"), message);
    }
}

/* The detections of this run, taken over from the comparison (the next
 * run replaces them), and the totals. */
static void
keep_detections (Compare *c, const char *image)
{
  ImageDets d = { image, g_steal_pointer (&c->cmp->flt->dets), g_steal_pointer (&c->cmp->fixed->dets),
                  g_steal_pointer (&c->cmp->dets) };

  c->n_flt += d.flt->len;
  c->n_fixed += d.fixed->len;
  c->matched += d.match->matched;
  c->missed += d.match->missed;
  c->extra += d.match->extra;
  c->iou_sum += d.match->matched ? d.match->mean_iou * d.match->matched : 0.0;
  g_array_append_val (c->images, d);
}

/* -o itself for one image; for several, -o/<image name>.png. */
static char *
heatmap_path (const Compare *c, const CompareOptions *o, const char *image, GError **error)
{
  g_autofree char *base = NULL, *name = NULL;
  char *dot;
  int saved;

  if (c->inputs->len == 1)
    return g_strdup (o->output);
  if (g_mkdir_with_parents (o->output, 0777) != 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot create the folder %s: %s"),
                   o->output, g_strerror (saved));
      return NULL;
    }
  base = g_path_get_basename (image);
  if ((dot = strrchr (base, '.')) != NULL)
    *dot = '\0';
  name = g_strconcat (base, ".png", NULL);
  return g_build_filename (o->output, name, NULL);
}

static gboolean
write_heatmap (const Compare *c, const CompareOptions *o, const LaminaImage *image, const char *image_path,
               GError **error)
{
  const LaminaCompareLayer *l = lamina_compare_find_layer (c->cmp, o->heatmap);
  g_autoptr(LaminaErrorMap) map = NULL;
  g_autofree char *title = NULL, *path = NULL;

  if (l == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("no matched tensor pair is called “%s” (the layers of the text output are)"), o->heatmap);
      return FALSE;
    }
  map = lamina_compare_error_map (c->cmp, l->pair, o->channel, error);
  if (map == NULL)
    {
      g_prefix_error (error, "%s: ", o->heatmap);
      return FALSE;
    }
  if (o->channel < 0)
    title = g_strdup_printf (_("mean |float − fixed| of %s"), l->pair->flt->name);
  else
    title = g_strdup_printf (_("|float − fixed| of %s, channel %d"), l->pair->flt->name, o->channel);
  path = heatmap_path (c, o, image_path, error);
  return path != NULL && lamina_error_map_save_png (map, image, &c->cmp->flt->transform, title, path, error);
}

/* One image through both models: pooled metrics, its detections, its heatmap. */
static gboolean
compare_image (Compare *c, const CompareOptions *o, const char *path, GError **error)
{
  g_autoptr(LaminaImage) image = lamina_image_load (path, error);

  if (image == NULL || !lamina_compare_run (c->cmp, image, NULL, NULL, NULL, error))
    return FALSE;
  if (c->cmp->dets == NULL)
    {
      /* both presets have decoders (lamina_cli_find_decoding_preset) */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path, _("not computed"));
      return FALSE;
    }
  pool_layers (c, path);
  keep_detections (c, path);
  return o->heatmap == NULL || write_heatmap (c, o, image, path, error);
}

static gboolean
compare (Compare *c, const char *float_path, const char *fixed_path, const CompareOptions *o,
         GError **error)
{
  if (!list_images (c, o, error) || !load_both (c, float_path, fixed_path, o, error))
    return FALSE;
  for (guint i = 0; i < c->inputs->len; i++)
    if (!compare_image (c, o, g_ptr_array_index (c->inputs, i), error))
      return FALSE;
  for (guint j = 0; j < c->layers->len; j++)
    {
      Layer *l = &g_array_index (c->layers, Layer, j);
      lamina_metrics_compute (&l->acc, &l->m);
    }
  return TRUE;
}

/* ---- printing ------------------------------------------------------------------ */

static void
json_number (LaminaJson *json, const char *key, double value)
{
  lamina_json_key (json, key);
  lamina_json_double (json, value);
}

static void
json_layers (LaminaJson *json, const Compare *c)
{
  lamina_json_key (json, "layers");
  lamina_json_begin_array (json);
  for (guint i = 0; i < c->layers->len; i++)
    {
      const Layer *l = &g_array_index (c->layers, Layer, i);
      if (l->left_out)
        continue;
      lamina_json_begin_object (json);
      lamina_json_key (json, "float");
      lamina_json_string (json, l->pair->flt->name);
      lamina_json_key (json, "fixed");
      lamina_json_string (json, l->pair->fixed->name);
      json_number (json, "cosine", l->m.cosine);
      json_number (json, "sqnr_db", l->m.sqnr_db);
      json_number (json, "mse", l->m.mse);
      json_number (json, "max_abs", l->m.max_abs);
      json_number (json, "clipped", l->m.clipped);
      lamina_json_end_object (json);
    }
  lamina_json_end_array (json);
}

static void
json_unmatched (LaminaJson *json, const GPtrArray *tensors, const char *graph)
{
  for (guint i = 0; i < tensors->len; i++)
    {
      lamina_json_begin_object (json);
      lamina_json_key (json, "graph");
      lamina_json_string (json, graph);
      lamina_json_key (json, "name");
      lamina_json_string (json, ((const LaminaTensor *) g_ptr_array_index (tensors, i))->name);
      lamina_json_end_object (json);
    }
}

/* The "float" or "fixed" list: the detections of images [from, to). */
static void
json_detection_list (LaminaJson *json, const Compare *c, gboolean fixed, guint from, guint to)
{
  lamina_json_key (json, fixed ? "fixed" : "float");
  lamina_json_begin_array (json);
  for (guint i = from; i < to; i++)
    {
      const ImageDets *d = &g_array_index (c->images, ImageDets, i);
      const LaminaDetections *dets = fixed ? d->fixed : d->flt;
      for (guint k = 0; k < dets->len; k++)
        lamina_cli_json_detection (json, &dets->items[k]);
    }
  lamina_json_end_array (json);
}

static void
json_detections (LaminaJson *json, const Compare *c, guint from, guint to, guint matched, guint missed,
                 guint extra, double mean_iou)
{
  lamina_json_key (json, "detections");
  lamina_json_begin_object (json);
  json_detection_list (json, c, FALSE, from, to);
  json_detection_list (json, c, TRUE, from, to);
  json_number (json, "matched", matched);
  json_number (json, "missed", missed);
  json_number (json, "extra", extra);
  json_number (json, "mean_iou", mean_iou);
  lamina_json_end_object (json);
}

static void
json_per_image (LaminaJson *json, const Compare *c)
{
  lamina_json_key (json, "per_image");
  lamina_json_begin_array (json);
  for (guint i = 0; i < c->images->len; i++)
    {
      const ImageDets *d = &g_array_index (c->images, ImageDets, i);
      lamina_json_begin_object (json);
      lamina_json_key (json, "image");
      lamina_json_string (json, d->path);
      json_detections (json, c, i, i + 1, d->match->matched, d->match->missed, d->match->extra,
                       d->match->mean_iou);
      lamina_json_end_object (json);
    }
  lamina_json_end_array (json);
}

static void
print_json (const Compare *c)
{
  g_autoptr(LaminaJson) json = lamina_json_new ();
  g_autofree char *text = NULL;

  lamina_json_begin_object (json);
  lamina_json_key (json, "inputs");
  lamina_json_begin_array (json);
  for (guint i = 0; i < c->inputs->len; i++)
    lamina_json_string (json, g_ptr_array_index (c->inputs, i));
  lamina_json_end_array (json);
  json_layers (json, c);
  lamina_json_key (json, "unmatched");
  lamina_json_begin_array (json);
  json_unmatched (json, c->cmp->match->unmatched_float, "float");
  json_unmatched (json, c->cmp->match->unmatched_fixed, "fixed");
  lamina_json_end_array (json);
  json_detections (json, c, 0, c->images->len, c->matched, c->missed, c->extra,
                   c->matched ? c->iou_sum / c->matched : NAN);
  json_per_image (json, c);
  lamina_json_end_object (json);
  text = lamina_json_finish (g_steal_pointer (&json));
  printf ("%s\n", text);
}

static void
print_detections (guint n_flt, guint n_fixed, guint matched, guint missed, guint extra, double iou_sum)
{
  printf (_("detections: %u float, %u fixed; %u matched (mean IoU %.3f), %u missed, %u extra\n"),
          n_flt, n_fixed, matched, matched ? iou_sum / matched : 0.0, missed, extra);
}

/* One line per pair in graph order, then the totals; with several images
 * a detection line per image before the one for all. */
static void
print_text (const Compare *c)
{
  const LaminaCompare *cmp = c->cmp;
  guint n_layers = 0;

  printf ("%10s %10s %12s %10s %9s  %s\n", _("cosine"), _("SQNR dB"), _("MSE"), _("max abs"),
          _("clipped"), _("tensor (float → fixed)"));
  for (guint i = 0; i < c->layers->len; i++)
    {
      const Layer *l = &g_array_index (c->layers, Layer, i);
      if (l->left_out)
        continue;
      printf ("%10.6f %10.2f %12.6g %10.4g %8.4f%%  %s → %s\n", l->m.cosine, l->m.sqnr_db, l->m.mse,
              l->m.max_abs, 100 * l->m.clipped, l->pair->flt->name, l->pair->fixed->name);
      n_layers++;
    }
  printf (_("%u tensor pairs (%s), unmatched: %u float, %u fixed\n"), n_layers,
          cmp->match->by_provenance ? _("recorded by the quantizer") : _("by name and topology"),
          cmp->match->unmatched_float->len, cmp->match->unmatched_fixed->len);
  if (c->images->len == 1)
    {
      print_detections (c->n_flt, c->n_fixed, c->matched, c->missed, c->extra, c->iou_sum);
      return;
    }
  printf (_("metrics pooled over %u images\n"), c->images->len);
  for (guint i = 0; i < c->images->len; i++)
    {
      const ImageDets *d = &g_array_index (c->images, ImageDets, i);
      g_autofree char *base = g_path_get_basename (d->path);
      printf ("%s: ", base);
      print_detections (d->flt->len, d->fixed->len, d->match->matched, d->match->missed, d->match->extra,
                        d->match->matched ? d->match->mean_iou * d->match->matched : 0.0);
    }
  printf (_("all %u images: "), c->images->len);
  print_detections (c->n_flt, c->n_fixed, c->matched, c->missed, c->extra, c->iou_sum);
}

/* ---- the command ----------------------------------------------------------------- */

static int
compare_command (const char *float_path, const char *fixed_path, const CompareOptions *o)
{
  g_autoptr(GError) error = NULL;
  Compare c = { 0 };
  int status = 0;

  if (!compare (&c, float_path, fixed_path, o, &error))
    status = lamina_cli_fail ("compare", "%s", error->message);
  else if (o->as_json)
    print_json (&c);
  else
    print_text (&c);
  compare_clear (&c);
  return status;
}

/* The option errors, or NULL. */
static const char *
check_options (int argc, const CompareOptions *o)
{
  if (argc != 3)
    return _("expected a FLOAT model file and a FIXED model file");
  if (o->images == NULL && o->folders == NULL)
    return _("--image or --images is required");
  if ((o->heatmap == NULL) != (o->output == NULL))
    return _("--heatmap and -o go together");
  if (o->channel >= 0 && o->heatmap == NULL)
    return _("--channel needs --heatmap");
  if (o->channel < -1)
    return _("--channel must be 0 or more");
  if (o->threads < 0)
    return _("--threads must be 0 (all cores) or more");
  return NULL;
}

int
lamina_cli_compare (int argc, char **argv)
{
  CompareOptions o = { .channel = -1 };
  const GOptionEntry entries[] = {
    { "image", 'i', 0, G_OPTION_ARG_FILENAME_ARRAY, &o.images, N_("An image both models run on (repeatable)"), N_("IMAGE") },
    { "images", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.folders, N_("A folder of images (.jpg, .jpeg, .png) both models run on (repeatable): metrics pooled, detections per image and in total"), N_("DIR") },
    { "float-preset", 0, 0, G_OPTION_ARG_FILENAME, &o.float_preset, N_("Preset of the float model (default: found from the model)"), N_("PRESET") },
    { "fixed-preset", 0, 0, G_OPTION_ARG_FILENAME, &o.fixed_preset, N_("Preset of the fixed model (default: found from the model)"), N_("PRESET") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.as_json, N_("Print one JSON object"), NULL },
    { "heatmap", 0, 0, G_OPTION_ARG_STRING, &o.heatmap, N_("Draw the error map of this layer (a tensor name) over the image"), N_("LAYER") },
    { "channel", 0, 0, G_OPTION_ARG_INT, &o.channel, N_("Error map of this channel alone (default: the mean over the channels)"), "C" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, N_("The PNG file --heatmap writes; with several images a folder (one PNG per image)"), N_("HEAT.png") },
    { "threads", 't', 0, G_OPTION_ARG_INT, &o.threads, N_("Worker threads (default: all cores)"), "N" },
    { NULL }
  };
  const char *problem;
  int status;

  if (!lamina_cli_parse (&argc, &argv, "compare", "FLOAT FIXED (--image IMAGE | --images DIR)", entries))
    status = 2;
  else if ((problem = check_options (argc, &o)) != NULL)
    status = lamina_cli_fail ("compare", "%s", problem);
  else
    status = compare_command (argv[1], argv[2], &o);
  g_strfreev (o.images);
  g_strfreev (o.folders);
  g_free (o.float_preset);
  g_free (o.fixed_preset);
  g_free (o.heatmap);
  g_free (o.output);
  return status;
}
