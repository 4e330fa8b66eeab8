/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli detect MODEL IMG [--preset P] [-o ANNOTATED.png] [--json] [--threads N]
 *
 * The whole pipeline of a detection model, headless: the preset (found by
 * lamina_preset_find, or named with --preset), the image preprocessed to the
 * model input (dynamic sizes resolved by the preset), one run of the
 * simulator, the preset's decoder, and the detections in original-image
 * pixels: one line each, or one JSON object
 *
 *   {"detections":[{"class_id":..,"label":"..","score":..,"box":[x0,y0,x1,y1],
 *                   "polygon"?:[[x,y]..],"keypoints"?:[[x,y]..],"text"?:".."}],
 *    "timings":{"load_ms":..,"preprocess_ms":..,"inference_ms":..,"postprocess_ms":..}}
 *
 * -o draws them over the image (lamina-annotate) into a PNG.
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-cli.h"
#include "lamina-cli-detect.h"
#include "lamina-json.h"
#include "vision/lamina-annotate.h"
#include "vision/lamina-pipeline.h"

typedef struct {
  char     *preset, *output;
  gboolean  as_json;
  int       threads;
} DetectOptions;

typedef struct {
  double load_ms, preprocess_ms, inference_ms, postprocess_ms;
} Timings;

/* Everything one detection run holds; freed by detect_clear. */
typedef struct {
  LaminaModel    *model;
  LaminaImage    *image;
  LaminaPipeline *pipe;
} Detect;

static void
detect_clear (Detect *d)
{
  /* the pipeline borrows the model */
  g_clear_pointer (&d->pipe, lamina_pipeline_free);
  g_clear_pointer (&d->image, lamina_image_free);
  g_clear_pointer (&d->model, lamina_model_free);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* ---- steps ----------------------------------------------------------------- */

/* An explicit --preset, else the model's own or a shipped one. */
static LaminaPreset *
find_preset (const char *model_path, LaminaModel *model, const char *name, GError **error)
{
  LaminaPreset *preset;
  g_auto(GStrv) shipped = NULL;
  g_autofree char *list = NULL;

  if (name != NULL)
    return lamina_preset_find_by_name (name, model_path, NULL, error);
  preset = lamina_preset_find (model_path, model->graph, NULL, error);
  if (preset != NULL || (error && *error))
    return preset;
  shipped = lamina_preset_list (NULL);
  list = g_strjoinv (", ", shipped);
  g_set_error (error, LAMINA_PRESET_ERROR, LAMINA_PRESET_ERROR_NOT_FOUND,
               _("No preset matches this model: put a model.ini beside it or choose one with --preset (shipped: %s)"),
               list);
  return NULL;
}

/* The loaders' messages name the file; the others get the model's name. */
static gboolean
detect_load (Detect *d, const char *model_path, const char *image_path, const char *preset_name,
             int threads, GError **error)
{
  LaminaPreset *preset;

  d->model = lamina_model_load (model_path, error);
  if (d->model == NULL)
    return FALSE;
  preset = lamina_cli_find_decoding_preset (model_path, d->model, preset_name, error);
  if (preset == NULL || (d->pipe = lamina_pipeline_new (d->model, preset, threads, error)) == NULL)
    {
      g_prefix_error (error, "%s: ", model_path);
      return FALSE;
    }
  d->image = lamina_image_load (image_path, error);
  return d->image != NULL;
}

/* ---- printing ---------------------------------------------------------------- */

static void
json_points (LaminaJson *json, const char *key, const LaminaPoint *points, guint n)
{
  lamina_json_key (json, key);
  lamina_json_begin_array (json);
  for (guint i = 0; i < n; i++)
    {
      lamina_json_begin_array (json);
      lamina_json_double (json, points[i].x);
      lamina_json_double (json, points[i].y);
      lamina_json_end_array (json);
    }
  lamina_json_end_array (json);
}

void
lamina_cli_json_detection (LaminaJson *json, const LaminaDetection *d)
{
  const float box[4] = { d->x0, d->y0, d->x1, d->y1 };

  lamina_json_begin_object (json);
  lamina_json_key (json, "class_id");
  lamina_json_int (json, d->class_id);
  lamina_json_key (json, "label");
  lamina_json_string (json, d->label);
  lamina_json_key (json, "score");
  lamina_json_double (json, d->score);
  lamina_json_key (json, "box");
  lamina_json_begin_array (json);
  for (guint k = 0; k < 4; k++)
    lamina_json_double (json, box[k]);
  lamina_json_end_array (json);
  if (d->polygon != NULL)
    json_points (json, "polygon", d->polygon, d->n_polygon);
  if (d->keypoints != NULL)
    json_points (json, "keypoints", d->keypoints, d->n_keypoints);
  if (d->text != NULL)
    {
      lamina_json_key (json, "text");
      lamina_json_string (json, d->text);
    }
  lamina_json_end_object (json);
}

static void
print_json (const Detect *d, const Timings *tm)
{
  g_autoptr(LaminaJson) json = lamina_json_new ();
  g_autofree char *text = NULL;
  const struct { const char *key; double ms; } times[] = {
    { "load_ms", tm->load_ms }, { "preprocess_ms", tm->preprocess_ms },
    { "inference_ms", tm->inference_ms }, { "postprocess_ms", tm->postprocess_ms },
  };

  lamina_json_begin_object (json);
  lamina_json_key (json, "detections");
  lamina_json_begin_array (json);
  for (guint i = 0; i < d->pipe->dets->len; i++)
    lamina_cli_json_detection (json, &d->pipe->dets->items[i]);
  lamina_json_end_array (json);
  lamina_json_key (json, "timings");
  lamina_json_begin_object (json);
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      lamina_json_key (json, times[i].key);
      lamina_json_double (json, times[i].ms);
    }
  lamina_json_end_object (json);
  lamina_json_end_object (json);
  text = lamina_json_finish (g_steal_pointer (&json));
  printf ("%s\n", text);
}

/* "person  0.873  [48.2, 399.1, 245.0, 902.7]", then the text, the polygon
 * or keypoint count. */
static void
print_detection (const LaminaDetection *d)
{
  g_autofree char *name = d->label ? g_strdup (d->label) : g_strdup_printf (_("class %d"), d->class_id);

  printf ("%-14s %.3f  [%.1f, %.1f, %.1f, %.1f]", name, d->score, d->x0, d->y0, d->x1, d->y1);
  if (d->text != NULL)
    printf ("  “%s”", d->text);
  if (d->polygon != NULL)
    printf (ngettext ("  polygon of %u point", "  polygon of %u points", d->n_polygon), d->n_polygon);
  if (d->keypoints != NULL)
    printf (ngettext ("  %u keypoint", "  %u keypoints", d->n_keypoints), d->n_keypoints);
  printf ("\n");
}

static void
print_text (const Detect *d, const Timings *tm)
{
  const LaminaDetections *dets = d->pipe->dets;

  for (guint i = 0; i < dets->len; i++)
    print_detection (&dets->items[i]);
  printf (ngettext ("%u detection (preset %s): load %.1f ms, preprocess %.1f ms, inference %.1f ms, postprocess %.1f ms\n",
                    "%u detections (preset %s): load %.1f ms, preprocess %.1f ms, inference %.1f ms, postprocess %.1f ms\n",
                    dets->len),
          dets->len, d->pipe->preset->name, tm->load_ms, tm->preprocess_ms, tm->inference_ms, tm->postprocess_ms);
}

/* ---- the command -------------------------------------------------------------- */

static gboolean
detect (Detect *d, const char *model_path, const char *image_path, const DetectOptions *o,
        Timings *tm, GError **error)
{
  gint64 t0 = g_get_monotonic_time ();

  if (!detect_load (d, model_path, image_path, o->preset, o->threads, error))
    return FALSE;
  tm->load_ms = ms_since (t0);
  t0 = g_get_monotonic_time ();
  if (!lamina_pipeline_set_image (d->pipe, d->image, error))
    goto failed;
  tm->preprocess_ms = ms_since (t0);
  t0 = g_get_monotonic_time ();
  if (!lamina_sim_run (d->pipe->sim, error))
    goto failed;
  tm->inference_ms = ms_since (t0);
  t0 = g_get_monotonic_time ();
  if (!lamina_pipeline_decode (d->pipe, NULL, error))
    goto failed;
  tm->postprocess_ms = ms_since (t0);
  return TRUE;

failed:
  g_prefix_error (error, "%s: ", model_path);
  return FALSE;
}

static int
detect_command (const char *model_path, const char *image_path, const DetectOptions *o)
{
  g_autoptr(GError) error = NULL;
  Detect d = { 0 };
  Timings tm = { 0 };
  int status = 0;

  if (!detect (&d, model_path, image_path, o, &tm, &error))
    status = lamina_cli_fail ("detect", "%s", error->message);
  else
    {
      const LaminaPreset *preset = d.pipe->preset;
      for (guint i = 0; preset->warnings && i < preset->warnings->len; i++)
        fprintf (stderr, _("lamina-cli detect: warning: %s\n"), (const char *) g_ptr_array_index (preset->warnings, i));
      if (o->output && !lamina_annotate_save_png (d.image, d.pipe->dets, NULL, o->output, &error))
        status = lamina_cli_fail ("detect", "%s", error->message);
      else if (o->as_json)
        print_json (&d, &tm);
      else
        print_text (&d, &tm);
    }
  detect_clear (&d);
  return status;
}

int
lamina_cli_detect (int argc, char **argv)
{
  DetectOptions o = { 0 };
  const GOptionEntry entries[] = {
    { "preset", 'p', 0, G_OPTION_ARG_FILENAME, &o.preset, N_("Preset name or .ini file (default: found from the model)"), N_("PRESET") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, N_("Write the image with the detections drawn to a PNG file"), N_("ANNOTATED.png") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.as_json, N_("Print one JSON object"), NULL },
    { "threads", 't', 0, G_OPTION_ARG_INT, &o.threads, N_("Worker threads (default: all cores)"), "N" },
    { NULL }
  };
  int status;

  if (!lamina_cli_parse (&argc, &argv, "detect", "MODEL IMAGE", entries))
    status = 2;
  else if (argc != 3)
    status = lamina_cli_fail ("detect", "%s", _("expected a MODEL file and an IMAGE file"));
  else if (o.threads < 0)
    status = lamina_cli_fail ("detect", "%s", _("--threads must be 0 (all cores) or more"));
  else
    status = detect_command (argv[1], argv[2], &o);
  g_free (o.preset);
  g_free (o.output);
  return status;
}

/* ---- shared with compare and `run --image` ------------------------------------ */

LaminaPreset *
lamina_cli_find_preset (const char *model_path, LaminaModel *model, const char *name, GError **error)
{
  return find_preset (model_path, model, name, error);
}

LaminaPreset *
lamina_cli_find_decoding_preset (const char *model_path, LaminaModel *model, const char *name, GError **error)
{
  LaminaPreset *preset = find_preset (model_path, model, name, error);

  if (preset != NULL && preset->post.decoder == LAMINA_DECODER_NONE)
    {
      g_set_error (error, LAMINA_PRESET_ERROR, LAMINA_PRESET_ERROR_VALUE,
                   _("Preset “%s” has no [POSTPROCESS] decoder"), preset->name);
      g_clear_pointer (&preset, lamina_preset_free);
    }
  return preset;
}
