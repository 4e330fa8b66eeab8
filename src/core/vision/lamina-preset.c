/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-preset.c: GKeyFile presets (see lamina-preset.h for the groups).
 *
 * Every key is looked up in one sorted table of known groups and keys, so
 * unknown ones become warnings instead of silently doing nothing; each known
 * key has a parser that fails with the file, group and key in the message.
 */
#define G_LOG_DOMAIN "lamina-preset"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include "lamina-preset.h"
#include "graph/lamina-graph.h"
#include "vision/lamina-vision-config.h"
#include "vision/lamina-decode.h"

G_DEFINE_QUARK (lamina-preset-error-quark, lamina_preset_error)

/* ---- post-processing config ---------------------------------------------- */

static const char *const decoder_names[] = {
  [LAMINA_DECODER_NONE] = "none",
  [LAMINA_DECODER_YOLOV5] = "yolov5",
  [LAMINA_DECODER_YOLO_FASTESTV2] = "yolo-fastestv2",
  [LAMINA_DECODER_ULTRAFACE] = "ultraface",
  [LAMINA_DECODER_BLAZEFACE] = "blazeface",
  [LAMINA_DECODER_DBNET] = "dbnet",
  [LAMINA_DECODER_CTC] = "ctc",
  [LAMINA_DECODER_CLASSIFY] = "classify",
};
G_STATIC_ASSERT (G_N_ELEMENTS (decoder_names) == LAMINA_DECODER_CLASSIFY + 1);

LaminaDecoderKind
lamina_decoder_from_name (const char *name)
{
  for (guint i = 1; name != NULL && i < G_N_ELEMENTS (decoder_names); i++)
    if (g_ascii_strcasecmp (name, decoder_names[i]) == 0)
      return (LaminaDecoderKind) i;
  return LAMINA_DECODER_NONE;
}

const char *
lamina_decoder_name (LaminaDecoderKind kind)
{
  return (guint) kind < G_N_ELEMENTS (decoder_names) ? decoder_names[kind] : "none";
}

void
lamina_postprocess_config_init (LaminaPostprocessConfig *c)
{
  memset (c, 0, sizeof *c);
  c->conf_threshold = 0.25;
  c->obj_threshold = -1.0;        /* "same as conf" until parsed */
  c->iou_threshold = 0.45;
  c->nms = LAMINA_NMS_HARD;
  c->class_aware = TRUE;
  c->format = g_strdup ("auto");
  c->bin_threshold = 0.3;
  c->box_threshold = 0.6;
  c->unclip_ratio = 1.5;
  c->min_size = 3.0;
  c->score_mode = g_strdup ("fast");
  c->append_space = TRUE;
  c->min_scale = 0.1484375;
  c->max_scale = 0.75;
  c->anchor_offset_x = c->anchor_offset_y = 0.5;
  c->aspect_ratios[0] = 1.f;
  c->n_aspect_ratios = 1;
  c->interpolated_scale_aspect_ratio = 1.0;
  c->fixed_anchor_size = TRUE;
  c->keypoint_values = 2;
  c->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
lamina_postprocess_config_clear (LaminaPostprocessConfig *c)
{
  g_free (c->decoder_name);
  g_free (c->format);
  g_free (c->anchors);
  g_strfreev (c->labels);
  g_free (c->labels_path);
  g_free (c->score_mode);
  g_clear_pointer (&c->params, g_hash_table_unref);
  memset (c, 0, sizeof *c);
}

void
lamina_postprocess_config_copy (LaminaPostprocessConfig *dst, const LaminaPostprocessConfig *src)
{
  GHashTableIter it;
  gpointer k, v;

  *dst = *src;
  dst->decoder_name = g_strdup (src->decoder_name);
  dst->format = g_strdup (src->format);
  dst->anchors = src->anchors ? g_memdup2 (src->anchors, src->n_anchors * 2 * sizeof (float)) : NULL;
  dst->labels = g_strdupv (src->labels);
  dst->labels_path = g_strdup (src->labels_path);
  dst->score_mode = g_strdup (src->score_mode);
  dst->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (src->params != NULL)
    {
      g_hash_table_iter_init (&it, src->params);
      while (g_hash_table_iter_next (&it, &k, &v))
        g_hash_table_insert (dst->params, g_strdup (k), g_strdup (v));
    }
}

double
lamina_postprocess_config_get_double (const LaminaPostprocessConfig *c, const char *key, double fallback)
{
  const char *s = c->params ? g_hash_table_lookup (c->params, key) : NULL;
  char *end;
  double v;

  if (s == NULL)
    return fallback;
  v = g_ascii_strtod (s, &end);
  return end != s && *end == '\0' ? v : fallback;
}

double
lamina_postprocess_config_get_score (const LaminaPostprocessConfig *c)
{
  return c->decoder == LAMINA_DECODER_DBNET ? c->box_threshold : c->conf_threshold;
}

void
lamina_postprocess_config_with_thresholds (LaminaPostprocessConfig *dst, const LaminaPostprocessConfig *src,
                                           double score, double iou)
{
  lamina_postprocess_config_copy (dst, src);
  dst->iou_threshold = iou;
  if (src->decoder == LAMINA_DECODER_DBNET)
    {
      dst->box_threshold = score;
      return;
    }
  dst->conf_threshold = score;
  dst->obj_threshold = src->obj_threshold == src->conf_threshold ? score : MIN (src->obj_threshold, score);
  if (src->params && g_hash_table_contains (src->params, "conf_threshold"))
    {
      char text[G_ASCII_DTOSTR_BUF_SIZE];
      /* read back with g_ascii_strtod: no locale's decimal comma */
      g_ascii_formatd (text, sizeof text, "%g", score);
      g_hash_table_replace (dst->params, g_strdup ("conf_threshold"), g_strdup (text));
    }
}

/* ---- parsing context and value parsers ----------------------------------- */

typedef struct {
  GKeyFile     *kf;
  const char   *file;        /* display name for messages */
  const char   *group, *key; /* what is being parsed */
  const char   *base_dir;    /* label files: preset folder ... */
  const char   *model_dir;   /* ... then the model's */
  LaminaPreset *preset;
} Ctx;

static gboolean
bad_value (Ctx *x, const char *value, const char *expected, GError **error)
{
  g_set_error (error, LAMINA_PRESET_ERROR, LAMINA_PRESET_ERROR_VALUE,
               _("%s: [%s] %s = “%s”: expected %s"), x->file, x->group, x->key, value, expected);
  return FALSE;
}

/* The raw value with surrounding quotes removed (SigmaStar writes inputs='images'). */
static char *
get_value (Ctx *x)
{
  char *v = g_key_file_get_value (x->kf, x->group, x->key, NULL);
  gsize n;

  if (v == NULL)
    return g_strdup ("");
  g_strstrip (v);
  n = strlen (v);
  if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0])
    {
      memmove (v, v + 1, n - 2);
      v[n - 2] = '\0';
    }
  return v;
}

static gboolean
parse_double_str (const char *s, double *out)
{
  char *end;

  while (g_ascii_isspace (*s))
    s++;
  if (*s == '\0')
    return FALSE;
  errno = 0;
  *out = g_ascii_strtod (s, &end);
  while (g_ascii_isspace (*end))
    end++;
  return *end == '\0' && errno == 0 && isfinite (*out);
}

/* Numbers separated by any of `seps` (and spaces); at most max of them. */
static int
parse_numbers (const char *s, const char *seps, double *out, int max)
{
  g_autofree char *delims = g_strconcat (seps, " \t", NULL);
  g_auto(GStrv) parts = g_strsplit_set (s, delims, -1);
  int n = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0')
        continue;
      if (n >= max || !parse_double_str (parts[i], &out[n]))
        return -1;
      n++;
    }
  return n;
}

static gboolean
get_double (Ctx *x, double lo, double hi, double *out, GError **error)
{
  g_autofree char *v = get_value (x);
  g_autofree char *range = g_strdup_printf (_("a number from %g to %g"), lo, hi);

  if (!parse_double_str (v, out) || *out < lo || *out > hi)
    return bad_value (x, v, range, error);
  return TRUE;
}

static gboolean
get_int (Ctx *x, int lo, int hi, int *out, GError **error)
{
  double d;
  g_autofree char *v = get_value (x);
  g_autofree char *range = g_strdup_printf (_("a whole number from %d to %d"), lo, hi);

  /* range first: converting a double beyond int's range is undefined */
  if (!parse_double_str (v, &d) || d < lo || d > hi || d != (int) d)
    return bad_value (x, v, range, error);
  *out = (int) d;
  return TRUE;
}

static gboolean
get_bool (Ctx *x, gboolean *out, GError **error)
{
  static const char *const yes[] = { "true", "yes", "1", "on" };
  static const char *const no[] = { "false", "no", "0", "off" };
  g_autofree char *v = get_value (x);

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_ascii_strcasecmp (v, yes[i]) == 0 || g_ascii_strcasecmp (v, no[i]) == 0)
      {
        *out = g_ascii_strcasecmp (v, yes[i]) == 0;
        return TRUE;
      }
  return bad_value (x, v, _("true or false"), error);
}

/* One of `names` (case-insensitive); returns its index in *out. */
static gboolean
get_enum (Ctx *x, const char *const *names, const char *expected, int *out, GError **error)
{
  g_autofree char *v = get_value (x);

  for (int i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (v, names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return bad_value (x, v, expected, error);
}

/* "WxH" */
static gboolean
get_size (Ctx *x, int *w, int *h, GError **error)
{
  g_autofree char *v = get_value (x);
  double d[2];

  if (parse_numbers (v, "xX×,", d, 2) != 2 || d[0] < 1 || d[1] < 1
      || d[0] > LAMINA_IMAGE_MAX_SIDE || d[1] > LAMINA_IMAGE_MAX_SIDE
      || d[0] != (int) d[0] || d[1] != (int) d[1])
    return bad_value (x, v, _("a size like 640x640"), error);
  *w = (int) d[0];
  *h = (int) d[1];
  return TRUE;
}

/* 1 value (applied to every channel) or 3, colon-separated like SigmaStar's
 * mean=0.0:0.0:0.0; several inputs are separated by ',' (the first is used). */
static gboolean
get_triple (Ctx *x, double lo, double hi, double out[3], GError **error)
{
  g_autofree char *v = get_value (x);
  g_autofree char *first = g_strdup (v);
  char *comma = strchr (first, ',');
  double d[3];
  int n;

  if (comma != NULL)
    {
      *comma = '\0';
      g_ptr_array_add (x->preset->warnings,
                       g_strdup_printf (_("%s: [%s] %s lists several inputs; only the first is used"),
                                        x->file, x->group, x->key));
    }
  n = parse_numbers (first, ":", d, 3);
  if (n != 1 && n != 3)
    return bad_value (x, v, _("one value or three separated by ‘:’"), error);
  for (int i = 0; i < 3; i++)
    {
      out[i] = d[n == 1 ? 0 : i];
      if (out[i] < lo || out[i] > hi)
        return bad_value (x, v, _("values in range"), error);
    }
  return TRUE;
}

/* ---- [INPUT_CONFIG] (SigmaStar) ----------------------------------------- */

static const char *const channel_names[] = { "RGB", "BGR", "GRAY", "RGBA", "BGRA", NULL };

static LaminaChannelOrder
channel_from_index (int i)
{
  return i == 1 || i == 4 ? LAMINA_CHANNELS_BGR : i == 2 ? LAMINA_CHANNELS_GRAY : LAMINA_CHANNELS_RGB;
}

static gboolean
parse_input_config (Ctx *x, GError **error)
{
  LaminaPreprocessConfig *pre = &x->preset->pre;
  int idx;

  if (g_str_equal (x->key, "inputs"))
    {
      g_free (x->preset->input_name);
      x->preset->input_name = get_value (x);
      return TRUE;
    }
  if (g_str_equal (x->key, "input_formats") || g_str_equal (x->key, "training_input_formats"))
    {
      /* the tensor's order is the training one; input_formats (what the
       * board feeds: may be YUV_NV12, RAWDATA_...) only counts without it */
      if (g_str_equal (x->key, "input_formats")
          && g_key_file_has_key (x->kf, x->group, "training_input_formats", NULL))
        return TRUE;
      if (!get_enum (x, channel_names, _("RGB, BGR or GRAY"), &idx, error))
        return FALSE;
      pre->channels = channel_from_index (idx);
      return TRUE;
    }
  if (g_str_equal (x->key, "mean"))
    return get_triple (x, -1e6, 1e6, pre->mean, error);
  if (g_str_equal (x->key, "std_value"))
    {
      if (!get_triple (x, -1e6, 1e6, pre->std, error))
        return FALSE;
      for (int i = 0; i < 3; i++)
        if (pre->std[i] == 0.0)
          return bad_value (x, "0", _("non-zero values"), error);
      return TRUE;
    }
  if (g_str_equal (x->key, "quantizations"))
    return get_bool (x, &x->preset->quantizations, error);
  /* mean_red/mean_green/mean_blue of older SigmaStar releases: channel by
   * colour, placed by the tensor's channel order once all keys are read */
  return TRUE;
}

static gboolean
apply_colour_means (Ctx *x, GError **error)
{
  static const char *const keys[] = { "mean_red", "mean_green", "mean_blue" };
  LaminaPreprocessConfig *pre = &x->preset->pre;

  x->group = "INPUT_CONFIG";
  for (int rgb = 0; rgb < 3; rgb++)
    {
      double v;
      int slot = pre->channels == LAMINA_CHANNELS_BGR ? 2 - rgb : rgb;

      if (!g_key_file_has_key (x->kf, x->group, keys[rgb], NULL))
        continue;
      x->key = keys[rgb];
      if (!get_double (x, -1e6, 1e6, &v, error))
        return FALSE;
      pre->mean[slot] = v;
    }
  return TRUE;
}

/* ---- [RESIZE] and [LAYOUT] ---------------------------------------------- */

static gboolean
parse_resize (Ctx *x, GError **error)
{
  static const char *const modes[] = { "stretch", "letterbox", "keep_long_side", "fit_height", NULL };
  LaminaPreprocessConfig *pre = &x->preset->pre;
  int idx;

  if (g_str_equal (x->key, "mode"))
    {
      if (!get_enum (x, modes, _("stretch, letterbox, keep_long_side or fit_height"), &idx, error))
        return FALSE;
      pre->resize = (LaminaResizeMode) idx;
      return TRUE;
    }
  if (g_str_equal (x->key, "pad"))
    {
      double p[3];
      if (!get_triple (x, 0, 255, p, error))
        return FALSE;
      for (int i = 0; i < 3; i++)
        pre->pad[i] = (guint8) p[i];
      return TRUE;
    }
  if (g_str_equal (x->key, "pad_value"))
    {
      pre->pad_is_value = TRUE;
      return get_double (x, -1e6, 1e6, &pre->pad_value, error);
    }
  if (g_str_equal (x->key, "size"))
    return get_size (x, &pre->width, &pre->height, error);
  if (g_str_equal (x->key, "max_side"))
    return get_int (x, 1, LAMINA_IMAGE_MAX_SIDE, &pre->max_side, error);
  return get_int (x, 1, 1024, &pre->multiple, error);   /* multiple */
}

static gboolean
parse_layout (Ctx *x, GError **error)
{
  static const char *const layouts[] = { "auto", "nchw", "nhwc", NULL };
  int idx;

  if (!get_enum (x, layouts, _("nchw or nhwc"), &idx, error))
    return FALSE;
  x->preset->pre.layout = (LaminaDataLayout) idx;
  return TRUE;
}

/* ---- [POSTPROCESS] ------------------------------------------------------- */

/* "10,13 16,30 33,23; 30,61 ..." → (w,h) pairs, one ';' group per stride. */
static gboolean
get_anchors (Ctx *x, LaminaPostprocessConfig *c, GError **error)
{
  g_autofree char *v = get_value (x);
  g_auto(GStrv) groups = g_strsplit (v, ";", -1);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (float));
  guint ng = 0;

  for (guint g = 0; groups[g] != NULL; g++)
    {
      double d[64];
      int n;

      if (g_strstrip (groups[g])[0] == '\0')
        continue;
      n = parse_numbers (groups[g], ",", d, G_N_ELEMENTS (d));
      if (n <= 0 || n % 2 != 0 || ng >= LAMINA_POST_MAX_STRIDES)
        return bad_value (x, v, _("width,height pairs, one ‘;’-separated group per stride"), error);
      for (int i = 0; i < n; i++)
        {
          float f = (float) d[i];
          if (f <= 0.f)
            return bad_value (x, v, _("positive anchor sizes"), error);
          g_array_append_val (all, f);
        }
      c->anchors_per_stride[ng++] = n / 2;
    }
  g_free (c->anchors);
  c->n_anchors = all->len / 2;
  c->anchors = (float *) g_array_free (g_steal_pointer (&all), FALSE);
  /* strides may come before or after anchors: checked at the end */
  g_hash_table_insert (c->params, g_strdup ("__anchor_groups"), g_strdup_printf ("%u", ng));
  return TRUE;
}

static gboolean
get_strides (Ctx *x, LaminaPostprocessConfig *c, GError **error)
{
  g_autofree char *v = get_value (x);
  double d[LAMINA_POST_MAX_STRIDES];
  int n = parse_numbers (v, ",", d, LAMINA_POST_MAX_STRIDES);

  if (n <= 0)
    return bad_value (x, v, _("a comma-separated list of strides (at most 8)"), error);
  for (int i = 0; i < n; i++)
    {
      if (d[i] < 1 || d[i] > 1024 || d[i] != (int) d[i])
        return bad_value (x, v, _("whole strides from 1 to 1024"), error);
      c->strides[i] = (int) d[i];
    }
  c->n_strides = n;
  return TRUE;
}

/* Far above any real label list (PP-OCR's 6623 characters take 26 KiB). */
#define MAX_LABEL_FILE (16 << 20)

/* NULL when path is not a readable file; *unusable when it exists but is
 * no regular file of at most MAX_LABEL_FILE bytes (a preset may name
 * /dev/zero: reading that would never end). */
static char **
read_label_file (const char *path, gboolean *unusable)
{
  g_autofree char *text = NULL;
  GStatBuf st;
  char **lines;
  guint n;

  if (g_stat (path, &st) != 0)
    return NULL;
  if (!S_ISREG (st.st_mode) || st.st_size > MAX_LABEL_FILE)
    {
      *unusable = TRUE;
      return NULL;
    }
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  /* the newline ending the last line does not start another label */
  if (n > 0 && lines[n - 1][0] == '\0')
    {
      g_free (lines[n - 1]);
      lines[--n] = NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      gsize len = strlen (lines[i]);
      if (len > 0 && lines[i][len - 1] == '\r')
        lines[i][len - 1] = '\0';
    }
  return lines;
}

/* A preset found beside a downloaded model must not read (and show) any
 * file of the user's: label files stay inside the preset's or the model's
 * folder, so no absolute path, no ".." component and no drive (":"). */
static gboolean
label_name_is_local (const char *name)
{
  g_auto(GStrv) parts = NULL;

  if (g_path_is_absolute (name) || name[0] == '/' || name[0] == '\\' || strchr (name, ':') != NULL)
    return FALSE;
  parts = g_strsplit_set (name, "/\\", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

/* labels=a.txt;b.txt: the first file found beside the preset, then beside
 * the model. A missing file is a warning: decoding still works with ids. */
static gboolean
get_labels (Ctx *x, LaminaPostprocessConfig *c, GError **error)
{
  g_autofree char *v = get_value (x);
  g_auto(GStrv) names = g_strsplit (v, ";", -1);
  const char *dirs[] = { x->base_dir, x->model_dir };
  gboolean unusable = FALSE, tried = FALSE;

  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = g_strstrip (names[i]);
      if (*name == '\0')
        continue;
      if (!label_name_is_local (name))
        {
          g_ptr_array_add (x->preset->warnings,
                           g_strdup_printf (_("%s: [%s] %s = “%s”: a label file must be named relative to the "
                                              "preset’s or the model’s folder, without “..”"),
                                            x->file, x->group, x->key, name));
          continue;
        }
      tried = TRUE;
      for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
        {
          g_autofree char *path = dirs[d] ? g_build_filename (dirs[d], name, NULL) : NULL;
          char **labels = path ? read_label_file (path, &unusable) : NULL;

          if (labels == NULL)
            continue;
          g_strfreev (c->labels);
          c->labels = labels;
          g_free (c->labels_path);
          c->labels_path = g_steal_pointer (&path);
          return TRUE;
        }
    }
  if (!tried)
    return TRUE;
  if (unusable)
    g_ptr_array_add (x->preset->warnings,
                     g_strdup_printf (_("%s: label file “%s” is not a text file of at most 16 MiB"), x->file, v));
  else
    g_ptr_array_add (x->preset->warnings,
                     g_strdup_printf (_("%s: label file “%s” was found neither beside the preset nor beside the model"),
                                      x->file, v));
  return TRUE;
}

static gboolean
get_names (Ctx *x, LaminaPostprocessConfig *c, GError **error)
{
  g_autofree char *v = get_value (x);

  g_strfreev (c->labels);
  c->labels = g_strsplit (v, ";", -1);
  for (guint i = 0; c->labels[i] != NULL; i++)
    g_strstrip (c->labels[i]);
  g_clear_pointer (&c->labels_path, g_free);
  return TRUE;
}

static gboolean
get_pair_or_one (Ctx *x, double *a, double *b, GError **error)
{
  g_autofree char *v = get_value (x);
  double d[2];
  int n = parse_numbers (v, ",", d, 2);

  if (n < 1)
    return bad_value (x, v, _("one number or two separated by ‘,’"), error);
  *a = d[0];
  *b = d[n == 2 ? 1 : 0];
  return TRUE;
}

static gboolean
get_box_scale (Ctx *x, LaminaPostprocessConfig *c, GError **error)
{
  g_autofree char *v = get_value (x);
  double d[4];
  int n = parse_numbers (v, ",", d, 4);

  if (n != 1 && n != 4)
    return bad_value (x, v, _("one scale or four (x,y,w,h)"), error);
  c->x_scale = d[0];
  c->y_scale = d[n == 4 ? 1 : 0];
  c->w_scale = d[n == 4 ? 2 : 0];
  c->h_scale = d[n == 4 ? 3 : 0];
  return TRUE;
}

static gboolean
get_aspects (Ctx *x, LaminaPostprocessConfig *c, GError **error)
{
  g_autofree char *v = get_value (x);
  double d[LAMINA_POST_MAX_ASPECTS];
  int n = parse_numbers (v, ",", d, LAMINA_POST_MAX_ASPECTS);

  if (n <= 0)
    return bad_value (x, v, _("a comma-separated list of aspect ratios (at most 8)"), error);
  /* anchors take the square root of each and divide by it */
  for (int i = 0; i < n; i++)
    if (d[i] <= 0 || d[i] > 1000)
      return bad_value (x, v, _("aspect ratios above 0 and at most 1000"), error);
  for (int i = 0; i < n; i++)
    c->aspect_ratios[i] = (float) d[i];
  c->n_aspect_ratios = n;
  return TRUE;
}

static gboolean
get_string_field (Ctx *x, const char *const *allowed, const char *expected, char **field, GError **error)
{
  int idx;

  if (!get_enum (x, allowed, expected, &idx, error))
    return FALSE;
  g_free (*field);
  *field = g_strdup (allowed[idx]);
  return TRUE;
}

static gboolean
parse_postprocess (Ctx *x, GError **error)
{
  static const char *const nms_names[] = { "none", "hard", "weighted", NULL };
  static const char *const formats[] = { "auto", "decoded", "raw", NULL };
  static const char *const score_modes[] = { "fast", "slow", NULL };
  LaminaPostprocessConfig *c = &x->preset->post;
  const char *k = x->key;
  int idx;

  g_hash_table_insert (c->params, g_strdup (k), get_value (x));
  if (g_str_equal (k, "decoder"))
    {
      g_autofree char *v = get_value (x);
      c->decoder = lamina_decoder_from_name (v);
      if (c->decoder == LAMINA_DECODER_NONE)
        return bad_value (x, v, _("yolov5, yolo-fastestv2, ultraface, blazeface, dbnet, ctc or classify"), error);
      g_free (c->decoder_name);
      c->decoder_name = g_steal_pointer (&v);
      return TRUE;
    }
  if (g_str_equal (k, "conf_threshold")) return get_double (x, 0, 1, &c->conf_threshold, error);
  if (g_str_equal (k, "obj_threshold")) return get_double (x, 0, 1, &c->obj_threshold, error);
  if (g_str_equal (k, "iou_threshold")) return get_double (x, 0, 1, &c->iou_threshold, error);
  if (g_str_equal (k, "top_k")) return get_int (x, 0, 1000000, &c->top_k, error);
  if (g_str_equal (k, "max_candidates")) return get_int (x, 0, 10000000, &c->max_candidates, error);
  if (g_str_equal (k, "nms"))
    {
      if (!get_enum (x, nms_names, _("hard, weighted or none"), &idx, error))
        return FALSE;
      c->nms = idx == 0 ? LAMINA_NMS_NONE : idx == 1 ? LAMINA_NMS_HARD : LAMINA_NMS_WEIGHTED;
      return TRUE;
    }
  if (g_str_equal (k, "class_aware")) return get_bool (x, &c->class_aware, error);
  if (g_str_equal (k, "format")) return get_string_field (x, formats, _("auto, decoded or raw"), &c->format, error);
  if (g_str_equal (k, "boxes_normalized")) return get_bool (x, &c->boxes_normalized, error);
  if (g_str_equal (k, "class_offset")) return get_int (x, 0, 1000000, &c->class_offset, error);
  if (g_str_equal (k, "strides")) return get_strides (x, c, error);
  if (g_str_equal (k, "anchors")) return get_anchors (x, c, error);
  if (g_str_equal (k, "labels")) return get_labels (x, c, error);
  if (g_str_equal (k, "names")) return get_names (x, c, error);
  if (g_str_equal (k, "num_classes"))
    {
      int n;
      if (!get_int (x, 1, 1000000, &n, error))
        return FALSE;
      c->num_classes = n;
      return TRUE;
    }
  if (g_str_equal (k, "bin_threshold")) return get_double (x, 0, 1, &c->bin_threshold, error);
  if (g_str_equal (k, "box_threshold")) return get_double (x, 0, 1, &c->box_threshold, error);
  if (g_str_equal (k, "unclip_ratio")) return get_double (x, 0, 100, &c->unclip_ratio, error);
  if (g_str_equal (k, "min_size")) return get_double (x, 0, 1e6, &c->min_size, error);
  if (g_str_equal (k, "score_mode")) return get_string_field (x, score_modes, _("fast or slow"), &c->score_mode, error);
  if (g_str_equal (k, "polygons")) return get_bool (x, &c->polygons, error);
  if (g_str_equal (k, "blank_index")) return get_int (x, 0, 1000000, &c->blank_index, error);
  if (g_str_equal (k, "append_space")) return get_bool (x, &c->append_space, error);
  if (g_str_equal (k, "softmax")) return get_bool (x, &c->softmax, error);
  if (g_str_equal (k, "num_layers")) return get_int (x, 1, LAMINA_POST_MAX_STRIDES, &c->num_layers, error);
  if (g_str_equal (k, "min_scale")) return get_double (x, 0, 10, &c->min_scale, error);
  if (g_str_equal (k, "max_scale")) return get_double (x, 0, 10, &c->max_scale, error);
  if (g_str_equal (k, "input_size")) return get_size (x, &c->input_width, &c->input_height, error);
  if (g_str_equal (k, "anchor_offset")) return get_pair_or_one (x, &c->anchor_offset_x, &c->anchor_offset_y, error);
  if (g_str_equal (k, "aspect_ratios")) return get_aspects (x, c, error);
  if (g_str_equal (k, "interpolated_scale_aspect_ratio"))
    return get_double (x, 0, 100, &c->interpolated_scale_aspect_ratio, error);
  if (g_str_equal (k, "fixed_anchor_size")) return get_bool (x, &c->fixed_anchor_size, error);
  if (g_str_equal (k, "reduce_boxes_in_lowest_layer")) return get_bool (x, &c->reduce_boxes_in_lowest_layer, error);
  if (g_str_equal (k, "box_scale")) return get_box_scale (x, c, error);
  if (g_str_equal (k, "num_keypoints")) return get_int (x, 0, 1000, &c->num_keypoints, error);
  if (g_str_equal (k, "keypoint_values")) return get_int (x, 1, 16, &c->keypoint_values, error);
  if (g_str_equal (k, "score_clip")) return get_double (x, 0, 1e6, &c->score_clip, error);
  return get_bool (x, &c->sigmoid_score, error);   /* sigmoid_score */
}

/* ---- [MATCH] ------------------------------------------------------------- */

static gboolean
parse_match (Ctx *x, GError **error)
{
  LaminaPreset *p = x->preset;
  g_autofree char *v = get_value (x);

  if (g_str_equal (x->key, "name"))
    {
      g_free (p->name);
      p->name = g_steal_pointer (&v);
    }
  else if (g_str_equal (x->key, "description"))
    {
      g_free (p->description);
      p->description = g_steal_pointer (&v);
    }
  else if (g_str_equal (x->key, "sha256"))
    {
      if (strlen (v) != 64 || strspn (v, "0123456789abcdefABCDEF") != 64)
        return bad_value (x, v, _("64 hexadecimal digits"), error);
      g_free (p->sha256);
      p->sha256 = g_ascii_strdown (v, -1);
    }
  else
    {
      g_strfreev (p->outputs);
      p->outputs = g_strsplit (v, ";", -1);
      for (guint i = 0; p->outputs[i] != NULL; i++)
        g_strstrip (p->outputs[i]);
    }
  return TRUE;
}

/* SigmaStar groups Lamina reads for reference only. */
static gboolean
parse_ignored (Ctx *x, GError **error)
{
  return TRUE;
}

/* ---- the key table -------------------------------------------------------- */

typedef gboolean (*KeyParser) (Ctx *x, GError **error);

typedef struct {
  const char  *group;
  KeyParser    parse;
  const char  *keys[48];   /* NULL-terminated */
} GroupSpec;

static const GroupSpec groups[] = {
  { "CONV_CONFIG", parse_ignored, { "input_format", "tensor_arrays", NULL } },
  { "INPUT_CONFIG", parse_input_config,
    { "input_formats", "input_height_alignment", "input_layouts", "input_width_alignment", "inputs",
      "mean", "mean_blue", "mean_green", "mean_red", "quantizations", "std_value",
      "training_input_formats", NULL } },
  { "LAYOUT", parse_layout, { "layout", NULL } },
  { "MATCH", parse_match, { "description", "name", "outputs", "sha256", NULL } },
  { "OUTPUT_CONFIG", parse_ignored, { "dequantizations", "output_formats", "output_layouts", "outputs", NULL } },
  { "POSTPROCESS", parse_postprocess,
    { "anchor_offset", "anchors", "append_space", "aspect_ratios", "bin_threshold", "blank_index",
      "box_scale", "box_threshold", "boxes_normalized", "class_aware", "class_offset",
      "conf_threshold", "decoder", "fixed_anchor_size", "format", "input_size",
      "interpolated_scale_aspect_ratio", "iou_threshold", "keypoint_values", "labels",
      "max_candidates", "max_scale", "min_scale", "min_size", "names", "nms", "num_classes",
      "num_keypoints", "num_layers", "obj_threshold", "polygons", "reduce_boxes_in_lowest_layer",
      "score_clip", "score_mode", "sigmoid_score", "softmax", "strides", "top_k", "unclip_ratio",
      NULL } },
  /* mixed-precision rules: read by the quantizer (lamina_quantize_preset_rules) */
  { "QUANTIZE", parse_ignored, { "int16", "keep_float", NULL } },
  { "RESIZE", parse_resize, { "max_side", "mode", "multiple", "pad", "pad_value", "size", NULL } },
};

static const GroupSpec *
find_group (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    if (g_str_equal (groups[i].group, name))
      return &groups[i];
  return NULL;
}

static void
warn_unknown (Ctx *x, const char *group, const char *key)
{
  g_ptr_array_add (x->preset->warnings,
                   key ? g_strdup_printf (_("%s: unknown key “%s” in group [%s] (ignored)"), x->file, key, group)
                       : g_strdup_printf (_("%s: unknown group [%s] (ignored)"), x->file, group));
}

static gboolean
parse_groups (Ctx *x, GError **error)
{
  g_auto(GStrv) names = g_key_file_get_groups (x->kf, NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      const GroupSpec *g = find_group (names[i]);
      g_auto(GStrv) keys = NULL;

      if (g == NULL)
        {
          warn_unknown (x, names[i], NULL);
          continue;
        }
      keys = g_key_file_get_keys (x->kf, names[i], NULL, NULL);
      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        {
          if (!g_strv_contains (g->keys, keys[k]))
            {
              /* still kept for a decoder that knows it (see params) */
              if (g->parse == parse_postprocess)
                g_hash_table_insert (x->preset->post.params, g_strdup (keys[k]),
                                     g_key_file_get_value (x->kf, names[i], keys[k], NULL));
              warn_unknown (x, names[i], keys[k]);
              continue;
            }
          x->group = names[i];
          x->key = keys[k];
          if (!g->parse (x, error))
            return FALSE;
        }
    }
  return apply_colour_means (x, error);
}

/* Cross-key checks once every key is read. */
static gboolean
finish (Ctx *x, GError **error)
{
  LaminaPostprocessConfig *c = &x->preset->post;
  g_autofree char *groups_s = g_strdup (g_hash_table_lookup (c->params, "__anchor_groups"));

  g_hash_table_remove (c->params, "__anchor_groups");
  if (c->obj_threshold < 0)
    c->obj_threshold = c->conf_threshold;
  if (groups_s != NULL && c->n_strides > 0 && (guint) atoi (groups_s) != c->n_strides)
    {
      x->group = "POSTPROCESS";
      x->key = "anchors";
      return bad_value (x, g_hash_table_lookup (c->params, "anchors"),
                        _("one anchor group per stride"), error);
    }
  if (c->decoder == LAMINA_DECODER_BLAZEFACE && c->input_width > 0
      && lamina_decode_ssd_anchor_count (c, 0, 0) > LAMINA_DECODE_MAX_ANCHORS)
    {
      g_autofree char *v = g_strdup_printf ("%dx%d", c->input_width, c->input_height);

      x->group = "POSTPROCESS";
      x->key = "input_size";
      return bad_value (x, v, _("a size and strides giving at most 10 million anchors"), error);
    }
  if (c->num_classes == 0 && c->labels != NULL)
    c->num_classes = g_strv_length (c->labels);
  return TRUE;
}

/* ---- loading ------------------------------------------------------------ */

void
lamina_preset_free (LaminaPreset *p)
{
  if (p == NULL)
    return;
  g_free (p->name);
  g_free (p->description);
  g_free (p->path);
  g_free (p->sha256);
  g_strfreev (p->outputs);
  g_free (p->input_name);
  lamina_postprocess_config_clear (&p->post);
  g_ptr_array_unref (p->warnings);
  g_free (p);
}

static char *
name_from_path (const char *name)
{
  g_autofree char *base = g_path_get_basename (name);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

LaminaPreset *
lamina_preset_load_data (const char *data, gsize length, const char *name,
                         const char *base_dir, const char *model_dir, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(LaminaPreset) p = g_new0 (LaminaPreset, 1);
  g_autoptr(GError) local = NULL;
  Ctx x = { kf, name ? name : _("preset"), NULL, NULL, base_dir, model_dir, p };

  p->warnings = g_ptr_array_new_with_free_func (g_free);
  lamina_preprocess_config_init (&p->pre);
  lamina_postprocess_config_init (&p->post);
  if (!g_key_file_load_from_data (kf, data, length, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, LAMINA_PRESET_ERROR, LAMINA_PRESET_ERROR_PARSE,
                   _("%s: not a valid preset file: %s"), x.file, local->message);
      return NULL;
    }
  if (!parse_groups (&x, error) || !finish (&x, error))
    return NULL;
  if (p->name == NULL)
    p->name = name_from_path (x.file);
  return g_steal_pointer (&p);
}

LaminaPreset *
lamina_preset_load (const char *path, const char *model_dir, GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *display = g_filename_display_name (path);
  g_autoptr(GError) local = NULL;
  LaminaPreset *p;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &local))
    {
      g_set_error (error, LAMINA_PRESET_ERROR, LAMINA_PRESET_ERROR_NOT_FOUND, "%s", local->message);
      return NULL;
    }
  p = lamina_preset_load_data (contents, length, display, dir, model_dir, error);
  if (p != NULL)
    p->path = g_strdup (path);
  return p;
}

/* ---- lookup --------------------------------------------------------------- */

const char *
lamina_preset_default_dir (void)
{
  static char *dir;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("LAMINA_PRESETS_DIR");
      char *d = g_build_filename (PKGDATADIR, "presets", NULL);
#ifdef LAMINA_SOURCE_PRESETS_DIR
      /* uninstalled runs from a build tree use the source tree's presets */
      if (!g_file_test (d, G_FILE_TEST_IS_DIR) && g_file_test (LAMINA_SOURCE_PRESETS_DIR, G_FILE_TEST_IS_DIR))
        g_free (d), d = g_strdup (LAMINA_SOURCE_PRESETS_DIR);
#endif
      if (env != NULL && *env != '\0')
        g_free (d), d = g_strdup (env);
      dir = d;
      g_once_init_leave (&once, 1);
    }
  return dir;
}

char *
lamina_preset_output_signature (const LaminaGraph *graph)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < graph->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (graph->outputs, i);
      if (i > 0)
        g_string_append_c (s, ',');
      if (t->shape.rank < 0)
        g_string_append_c (s, '?');
      for (int d = 0; d < t->shape.rank; d++)
        {
          if (d > 0)
            g_string_append_c (s, 'x');
          if (t->shape.dims[d].value >= 0)
            g_string_append_printf (s, "%" G_GINT64_FORMAT, t->shape.dims[d].value);
          else
            g_string_append_c (s, '?');
        }
    }
  return g_string_free (s, FALSE);
}

static char *
file_sha256 (const char *path)
{
  g_autoptr(GMappedFile) map = g_mapped_file_new (path, FALSE, NULL);

  if (map == NULL)
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                      (const guchar *) g_mapped_file_get_contents (map),
                                      g_mapped_file_get_length (map));
}

static int
cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

GStrv
lamina_preset_list (const char *presets_dir)
{
  g_autoptr(GDir) dir = g_dir_open (presets_dir ? presets_dir : lamina_preset_default_dir (), 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".ini"))
      g_ptr_array_add (names, name_from_path (entry));
  g_ptr_array_sort (names, cmp_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* The shipped preset whose [MATCH] fits: sha256 first, then outputs. */
static LaminaPreset *
find_shipped (const char *model_path, const LaminaGraph *graph, const char *dir, const char *model_dir)
{
  g_auto(GStrv) names = lamina_preset_list (dir);
  g_autofree char *sha = model_path ? file_sha256 (model_path) : NULL;
  g_autofree char *sig = graph ? lamina_preset_output_signature (graph) : NULL;
  g_autoptr(LaminaPreset) by_outputs = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *file = g_strconcat (names[i], ".ini", NULL);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autoptr(GError) err = NULL;
      g_autoptr(LaminaPreset) p = lamina_preset_load (path, model_dir, &err);

      if (p == NULL)
        {
          g_warning ("%s", err->message);
          continue;
        }
      if (sha != NULL && g_strcmp0 (p->sha256, sha) == 0)
        return g_steal_pointer (&p);
      if (by_outputs == NULL && sig != NULL && p->outputs != NULL
          && g_strv_contains ((const char *const *) p->outputs, sig))
        by_outputs = g_steal_pointer (&p);
    }
  return g_steal_pointer (&by_outputs);
}

LaminaPreset *
lamina_preset_find (const char *model_path, const LaminaGraph *graph, const char *presets_dir,
                    GError **error)
{
  g_autofree char *model_dir = model_path ? g_path_get_dirname (model_path) : NULL;
  g_autofree char *stem = model_path ? name_from_path (model_path) : NULL;
  g_autofree char *stem_ini = stem ? g_strconcat (stem, ".ini", NULL) : NULL;
  const char *candidates[] = { stem_ini, "model.ini" };

  for (guint i = 0; model_dir != NULL && i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *path = g_build_filename (model_dir, candidates[i], NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return lamina_preset_load (path, model_dir, error);
    }
  return find_shipped (model_path, graph, presets_dir ? presets_dir : lamina_preset_default_dir (),
                       model_dir);
}

LaminaPreset *
lamina_preset_find_by_name (const char *name, const char *model_path, const char *presets_dir,
                            GError **error)
{
  g_autofree char *model_dir = model_path ? g_path_get_dirname (model_path) : NULL;
  const char *dir = presets_dir ? presets_dir : lamina_preset_default_dir ();
  g_autofree char *file = g_strconcat (name, ".ini", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_auto(GStrv) names = NULL;
  g_autofree char *list = NULL;

  if (g_str_has_suffix (name, ".ini") && g_file_test (name, G_FILE_TEST_IS_REGULAR))
    return lamina_preset_load (name, model_dir, error);
  if (strchr (name, G_DIR_SEPARATOR) == NULL && g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return lamina_preset_load (path, model_dir, error);
  names = lamina_preset_list (dir);
  list = g_strjoinv (", ", names);
  g_set_error (error, LAMINA_PRESET_ERROR, LAMINA_PRESET_ERROR_NOT_FOUND,
               _("No preset named “%s” (available: %s)"), name, *list ? list : _("none"));
  return NULL;
}
