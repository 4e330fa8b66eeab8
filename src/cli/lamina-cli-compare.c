/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli compare FLOAT FIXED --image IMG [--json] [--heatmap LAYER -o HEAT.png]
 *                    [--threads N]
 *
 * A float model and its fixed (quantized) counterpart on one image: each
 * through its own preset (the fixed model's input may be quantized uint8),
 * both run in the simulator with every matched tensor kept
 * (quant/lamina-match.h), then per pair the metrics of quant/lamina-metrics.h
 * and both sets of detections, matched within a class at IoU ≥ 0.5
 * (greedy, best IoU first). --json prints
 *
 *   {"layers":[{"float":"..","fixed":"..","cosine":..,"sqnr_db":..,"mse":..,
 *               "max_abs":..,"clipped":..}],          (fixed graph's order)
 *    "unmatched":[{"graph":"float"|"fixed","name":".."}],
 *    "detections":{"float":[..],"fixed":[..],"matched":N,"missed":N,"extra":N,
 *                  "mean_iou":..}}
 *
 * sqnr_db is null when the tensors are equal (+inf), mean_iou null when
 * nothing matched. Missed: float detections without a fixed partner;
 * extra: fixed ones without a float partner.
 *
 * --heatmap LAYER (a float or fixed tensor name of a matched pair, rank 4)
 * writes the image with that layer's error map over it (quant/lamina-heatmap.h,
 * in the float model's input geometry) to the -o PNG.
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <math.h>
#include <stdio.h>
#include <glib/gi18n.h>
#include "lamina-cli.h"
#include "lamina-cli-detect.h"
#include "lamina-json.h"
#include "quant/lamina-heatmap.h"
#include "quant/lamina-match.h"
#include "quant/lamina-metrics.h"

#define MIN_IOU 0.5

typedef struct {
  char     *image, *float_preset, *fixed_preset, *heatmap, *output;
  gboolean  as_json;
  int       threads;
} CompareOptions;

typedef struct {
  const LaminaMatchPair *pair;
  LaminaMetrics          m;
} Layer;

typedef struct {
  guint  matched, missed, extra;
  double iou_sum;
} DetMatch;

/* Everything one comparison holds; freed by compare_clear. */
typedef struct {
  LaminaCliDetect flt, fixed;
  LaminaMatch    *match;
  GArray         *layers;   /* Layer */
  DetMatch        dets;
} Compare;

static void
compare_clear (Compare *c)
{
  g_clear_pointer (&c->layers, g_array_unref);
  g_clear_pointer (&c->match, lamina_match_free);
  lamina_cli_detect_clear (&c->fixed);
  lamina_cli_detect_clear (&c->flt);
}

/* ---- steps ------------------------------------------------------------------- */

static gboolean
load_both (Compare *c, const char *float_path, const char *fixed_path, const CompareOptions *o,
           GError **error)
{
  if (!lamina_cli_detect_load (&c->flt, float_path, o->image, o->float_preset, o->threads, error) ||
      !lamina_cli_detect_load (&c->fixed, fixed_path, o->image, o->fixed_preset, o->threads, error))
    return FALSE;
  c->match = lamina_match_tensors (c->flt.model, c->fixed.model, error);
  if (c->match == NULL)
    return FALSE;
  for (guint i = 0; i < c->match->pairs->len; i++)
    {
      const LaminaMatchPair *p = &g_array_index (c->match->pairs, LaminaMatchPair, i);
      lamina_sim_keep (c->flt.sim, p->flt, TRUE);
      lamina_sim_keep (c->fixed.sim, p->fixed, TRUE);
    }
  return TRUE;
}

static gboolean
run_one (LaminaCliDetect *d, const char *path, GError **error)
{
  if (lamina_cli_detect_preprocess (d, error) && lamina_sim_run (d->sim, error) &&
      lamina_cli_detect_decode (d, error))
    return TRUE;
  g_prefix_error (error, "%s: ", path);
  return FALSE;
}

/* Metrics of every pair; a pair whose values cannot be compared (shapes
 * that differ only at run time) is left out with a warning. */
static void
measure_layers (Compare *c)
{
  c->layers = g_array_new (FALSE, FALSE, sizeof (Layer));
  for (guint i = 0; i < c->match->pairs->len; i++)
    {
      const LaminaMatchPair *p = &g_array_index (c->match->pairs, LaminaMatchPair, i);
      const LaminaValue *f = lamina_sim_get_value (c->flt.sim, p->flt);
      const LaminaValue *x = lamina_sim_get_value (c->fixed.sim, p->fixed);
      g_autoptr(GError) error = NULL;
      LaminaMetricsAcc acc;
      Layer layer = { p };

      lamina_metrics_acc_init (&acc);
      if (f == NULL || x == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", _("not computed"));
      else
        lamina_metrics_add (&acc, f, x, p->quant, &error);
      if (error != NULL)
        {
          fprintf (stderr, _("lamina-cli compare: warning: “%s” vs “%s” left out: %s\n"),
                   p->flt->name, p->fixed->name, error->message);
          continue;
        }
      lamina_metrics_compute (&acc, &layer.m);
      g_array_append_val (c->layers, layer);
    }
}

typedef struct {
  guint  i, j;
  double iou;
} Candidate;

static int
by_iou_desc (gconstpointer a, gconstpointer b)
{
  double x = ((const Candidate *) a)->iou, y = ((const Candidate *) b)->iou;

  return (x < y) - (x > y);
}

/* Greedy matching within a class, best IoU first. */
static DetMatch
match_detections (const LaminaDetections *ref, const LaminaDetections *got)
{
  g_autoptr(GArray) cand = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autofree gboolean *ref_used = g_new0 (gboolean, ref->len + 1);
  g_autofree gboolean *got_used = g_new0 (gboolean, got->len + 1);
  DetMatch m = { 0 };

  for (guint i = 0; i < ref->len; i++)
    for (guint j = 0; j < got->len; j++)
      {
        Candidate c = { i, j, lamina_box_iou (&ref->items[i], &got->items[j]) };
        if (ref->items[i].class_id == got->items[j].class_id && c.iou >= MIN_IOU)
          g_array_append_val (cand, c);
      }
  g_array_sort (cand, by_iou_desc);
  for (guint k = 0; k < cand->len; k++)
    {
      const Candidate *c = &g_array_index (cand, Candidate, k);
      if (ref_used[c->i] || got_used[c->j])
        continue;
      ref_used[c->i] = got_used[c->j] = TRUE;
      m.matched++;
      m.iou_sum += c->iou;
    }
  m.missed = ref->len - m.matched;
  m.extra = got->len - m.matched;
  return m;
}

static const LaminaMatchPair *
find_pair (const LaminaMatch *m, const char *name, GError **error)
{
  for (guint i = 0; i < m->pairs->len; i++)
    {
      const LaminaMatchPair *p = &g_array_index (m->pairs, LaminaMatchPair, i);
      if (g_strcmp0 (p->flt->name, name) == 0 || g_strcmp0 (p->fixed->name, name) == 0)
        return p;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("no matched tensor pair is called “%s” (the layers of the text output are)"), name);
  return NULL;
}

/* The float model's layout: its preset's, else as the preprocessor guesses
 * it ([N,C,H,W] when dims[1] is 1 or 3). */
static gboolean
float_is_nhwc (const LaminaCliDetect *d)
{
  if (d->preset->pre.layout != LAMINA_DATA_LAYOUT_AUTO)
    return d->preset->pre.layout == LAMINA_DATA_LAYOUT_NHWC;
  return !(d->input.dims[1] == 1 || d->input.dims[1] == 3);
}

static gboolean
write_heatmap (const Compare *c, const char *layer, const char *path, GError **error)
{
  const LaminaMatchPair *p = find_pair (c->match, layer, error);
  const LaminaValue *f = p ? lamina_sim_get_value (c->flt.sim, p->flt) : NULL;
  const LaminaValue *x = p ? lamina_sim_get_value (c->fixed.sim, p->fixed) : NULL;
  g_autoptr(LaminaErrorMap) map = NULL;
  g_autofree char *title = NULL;

  if (p == NULL)
    return FALSE;
  if (f == NULL || x == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", _("not computed"));
  else
    map = lamina_error_map_new (f, x, p->quant, float_is_nhwc (&c->flt), error);
  if (map == NULL)
    {
      g_prefix_error (error, "%s: ", layer);
      return FALSE;
    }
  title = g_strdup_printf (_("mean |float − fixed| of %s"), p->flt->name);
  return lamina_error_map_save_png (map, c->flt.image, &c->flt.transform, title, path, error);
}

static gboolean
compare (Compare *c, const char *float_path, const char *fixed_path, const CompareOptions *o,
         GError **error)
{
  if (!load_both (c, float_path, fixed_path, o, error) ||
      !run_one (&c->flt, float_path, error) || !run_one (&c->fixed, fixed_path, error))
    return FALSE;
  measure_layers (c);
  c->dets = match_detections (c->flt.dets, c->fixed.dets);
  return o->heatmap == NULL || write_heatmap (c, o->heatmap, o->output, error);
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

static void
json_detections (LaminaJson *json, const char *key, const LaminaDetections *dets)
{
  lamina_json_key (json, key);
  lamina_json_begin_array (json);
  for (guint i = 0; i < dets->len; i++)
    lamina_cli_json_detection (json, &dets->items[i]);
  lamina_json_end_array (json);
}

static void
print_json (const Compare *c)
{
  g_autoptr(LaminaJson) json = lamina_json_new ();
  g_autofree char *text = NULL;

  lamina_json_begin_object (json);
  json_layers (json, c);
  lamina_json_key (json, "unmatched");
  lamina_json_begin_array (json);
  json_unmatched (json, c->match->unmatched_float, "float");
  json_unmatched (json, c->match->unmatched_fixed, "fixed");
  lamina_json_end_array (json);
  lamina_json_key (json, "detections");
  lamina_json_begin_object (json);
  json_detections (json, "float", c->flt.dets);
  json_detections (json, "fixed", c->fixed.dets);
  json_number (json, "matched", c->dets.matched);
  json_number (json, "missed", c->dets.missed);
  json_number (json, "extra", c->dets.extra);
  json_number (json, "mean_iou", c->dets.matched ? c->dets.iou_sum / c->dets.matched : NAN);
  lamina_json_end_object (json);
  lamina_json_end_object (json);
  text = lamina_json_finish (g_steal_pointer (&json));
  printf ("%s\n", text);
}

/* One line per pair in graph order, then the totals. */
static void
print_text (const Compare *c)
{
  printf ("%10s %10s %12s %10s %9s  %s\n", _("cosine"), _("SQNR dB"), _("MSE"), _("max abs"),
          _("clipped"), _("tensor (float → fixed)"));
  for (guint i = 0; i < c->layers->len; i++)
    {
      const Layer *l = &g_array_index (c->layers, Layer, i);
      printf ("%10.6f %10.2f %12.6g %10.4g %8.4f%%  %s → %s\n", l->m.cosine, l->m.sqnr_db, l->m.mse,
              l->m.max_abs, 100 * l->m.clipped, l->pair->flt->name, l->pair->fixed->name);
    }
  printf (_("%u tensor pairs (%s), unmatched: %u float, %u fixed\n"), c->layers->len,
          c->match->by_provenance ? _("recorded by the quantizer") : _("by name and topology"),
          c->match->unmatched_float->len, c->match->unmatched_fixed->len);
  printf (_("detections: %u float, %u fixed; %u matched (mean IoU %.3f), %u missed, %u extra\n"),
          c->flt.dets->len, c->fixed.dets->len, c->dets.matched,
          c->dets.matched ? c->dets.iou_sum / c->dets.matched : 0.0, c->dets.missed, c->dets.extra);
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

int
lamina_cli_compare (int argc, char **argv)
{
  CompareOptions o = { 0 };
  const GOptionEntry entries[] = {
    { "image", 'i', 0, G_OPTION_ARG_FILENAME, &o.image, N_("The image both models run on"), N_("IMAGE") },
    { "float-preset", 0, 0, G_OPTION_ARG_FILENAME, &o.float_preset, N_("Preset of the float model (default: found from the model)"), N_("PRESET") },
    { "fixed-preset", 0, 0, G_OPTION_ARG_FILENAME, &o.fixed_preset, N_("Preset of the fixed model (default: found from the model)"), N_("PRESET") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.as_json, N_("Print one JSON object"), NULL },
    { "heatmap", 0, 0, G_OPTION_ARG_STRING, &o.heatmap, N_("Draw the error map of this layer (a tensor name) over the image"), N_("LAYER") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, N_("The PNG file --heatmap writes"), N_("HEAT.png") },
    { "threads", 't', 0, G_OPTION_ARG_INT, &o.threads, N_("Worker threads (default: all cores)"), "N" },
    { NULL }
  };
  int status;

  if (!lamina_cli_parse (&argc, &argv, "compare", "FLOAT FIXED --image IMAGE", entries))
    status = 2;
  else if (argc != 3)
    status = lamina_cli_fail ("compare", "%s", _("expected a FLOAT model file and a FIXED model file"));
  else if (o.image == NULL)
    status = lamina_cli_fail ("compare", "%s", _("--image is required"));
  else if ((o.heatmap == NULL) != (o.output == NULL))
    status = lamina_cli_fail ("compare", "%s", _("--heatmap and -o go together"));
  else if (o.threads < 0)
    status = lamina_cli_fail ("compare", "%s", _("--threads must be 0 (all cores) or more"));
  else
    status = compare_command (argv[1], argv[2], &o);
  g_free (o.image);
  g_free (o.float_preset);
  g_free (o.fixed_preset);
  g_free (o.heatmap);
  g_free (o.output);
  return status;
}
