/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-tflite-hostile.c: damaged TFLite files. Each shared .tflite is cut at
 * many lengths and has bytes flipped at random (fixed seeds); every attempt
 * must end in a GError or in a model whose IR holds together, without a
 * crash or a leak (the ASan build runs this too).
 *
 * Most of a model file is weight data, where a flipped byte changes a value
 * and nothing else; so most flips are aimed at the bytes outside the tensor
 * buffers and blobs (tables, vtables, vectors, strings), found from a clean
 * load.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include "lamina-model-load.h"
#include "tflite/lamina-flexbuf.h"
#include "lamina-test-util.h"

static const char *const models[] = {
  "blazeface-short-range.tflite",
  "blazeface-full-range.tflite",
  "yolov5n-fp16.tflite",
  "yolov5n-int8.tflite",
  "yolov5n-int8_edgetpu.tflite",
};

/* Sized to keep the whole program well under a minute under ASan. */
#define N_CUTS   200
#define N_FLIPS  600
/* A run of non-data bytes this long is a blob (the Edge TPU program in the
 * custom options), not tables: flips there test nothing. */
#define BLOB_RUN (1 << 20)

typedef struct {
  guint loaded;
  guint failed;
} Tally;

/* What consumers will do with a loaded model: walk it, format it, sort it. */
static void
check_model (LaminaModel *model, const guint8 *file, gsize size)
{
  for (guint gi = 0; gi < model->graphs->len; gi++)
    {
      LaminaGraph *g = g_ptr_array_index (model->graphs, gi);
      g_autoptr(GPtrArray) order = NULL;
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < g->tensors->len; i++)
        {
          LaminaTensor *t = g_ptr_array_index (g->tensors, i);
          g_autofree char *shape = lamina_shape_to_string (&t->shape);
          g_assert_true (g_utf8_validate (shape, -1, NULL));
          g_assert_true (g_utf8_validate (t->name, -1, NULL));
          if (t->data != NULL)
            {
              const guint8 *p = g_bytes_get_data (t->data, NULL);
              g_assert_true (p >= file && p + g_bytes_get_size (t->data) <= file + size);
            }
          if (t->quant != NULL && t->quant->axis >= 0)
            g_assert_cmpint (t->quant->axis, <, t->shape.rank);
        }
      for (guint i = 0; i < g->nodes->len; i++)
        {
          LaminaNode *n = g_ptr_array_index (g->nodes, i);
          for (guint j = 0; j < n->attrs->len; j++)
            g_free (lamina_attr_format (g_ptr_array_index (n->attrs, j)));
          for (guint j = 0; j < n->inputs->len; j++)
            {
              LaminaTensor *t = g_ptr_array_index (n->inputs, j);
              g_assert_true (t == NULL || g_ptr_array_index (g->tensors, t->index) == t);
            }
        }
      /* a flipped index can make a cycle: that is an error, not a crash */
      order = lamina_graph_toposort (g, &error);
      g_assert_true ((order != NULL) != (error != NULL));
    }
}

static void
try_load (GBytes *bytes, const char *name, Tally *tally)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = lamina_model_load_bytes (bytes, name, &error);
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  if (model == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == LAMINA_LOAD_ERROR);
      g_assert_true (g_str_has_prefix (error->message, name));
      tally->failed++;
      return;
    }
  g_assert_null (error);
  check_model (model, data, size);
  tally->loaded++;
}

/* Marks the bytes that are tensor data, from a clean load. */
static guint8 *
data_mask (LaminaModel *model, const guint8 *file, gsize size)
{
  guint8 *mask = g_malloc0 (size);

  for (guint gi = 0; gi < model->graphs->len; gi++)
    {
      LaminaGraph *g = g_ptr_array_index (model->graphs, gi);
      for (guint i = 0; i < g->tensors->len; i++)
        {
          LaminaTensor *t = g_ptr_array_index (g->tensors, i);
          if (t->data)
            memset (mask + ((const guint8 *) g_bytes_get_data (t->data, NULL) - file), 1,
                    g_bytes_get_size (t->data));
        }
    }
  return mask;
}

static void
test_truncate (gconstpointer data)
{
  const char *file = data;
  g_autofree char *path = lamina_test_shared_model (file);
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Tally tally = { 0 };
  gsize size;

  if (path == NULL)
    return;
  mapped = g_mapped_file_new (path, FALSE, NULL);
  bytes = g_mapped_file_get_bytes (mapped);
  size = g_bytes_get_size (bytes);
  /* every length below 64, then lengths spread over the whole file */
  for (guint i = 0; i < 64 + N_CUTS; i++)
    {
      gsize cut = i < 64 ? i : (size / N_CUTS) * (i - 64) + (i * 7919) % 97;
      g_autoptr(GBytes) part = g_bytes_new_from_bytes (bytes, 0, MIN (cut, size - 1));
      try_load (part, file, &tally);
    }
  g_test_message ("%s: %u cuts loaded, %u failed", file, tally.loaded, tally.failed);
  g_assert_cmpuint (tally.failed, >, 0);
}

static void
test_flip (gconstpointer data)
{
  const char *file = data;
  g_autofree char *path = lamina_test_shared_model (file);
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(LaminaModel) clean = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);
  g_autofree guint8 *mask = NULL;
  g_autofree gsize *structure = NULL;
  gsize size, n_structure = 0;
  const guint8 *orig;
  Tally tally = { 0 };

  if (path == NULL)
    return;
  mapped = g_mapped_file_new (path, FALSE, NULL);
  orig = (const guint8 *) g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);
  clean = lamina_model_load (path, NULL);
  g_assert_nonnull (clean);
  mask = data_mask (clean, g_bytes_get_data (clean->file_data, NULL), size);
  structure = g_new (gsize, size);
  for (gsize i = 0, run = 0; i < size; i += run)
    {
      for (run = 1; i + run < size && mask[i + run] == mask[i]; run++)
        ;
      for (gsize k = 0; !mask[i] && run < BLOB_RUN && k < run; k++)
        structure[n_structure++] = i + k;
    }
  for (guint trial = 0; trial < N_FLIPS; trial++)
    {
      guint8 *copy = g_memdup2 (orig, size);
      GBytes *bytes = g_bytes_new_take (copy, size);
      guint n_flips = g_rand_int_range (rand, 1, 9);
      for (guint k = 0; k < n_flips; k++)
        {
          /* three in four at the structure, the rest anywhere */
          gsize at = g_rand_int_range (rand, 0, 4) ? structure[g_rand_int_range (rand, 0, (gint32) n_structure)]
                                                   : (gsize) g_rand_int_range (rand, 0, (gint32) size);
          copy[at] ^= (guint8) g_rand_int_range (rand, 1, 256);
        }
      try_load (bytes, file, &tally);
      g_bytes_unref (bytes);
    }
  g_test_message ("%s: %u flipped copies loaded, %u failed (%" G_GSIZE_FORMAT " structure bytes)",
                  file, tally.loaded, tally.failed, n_structure);
}

/* The FlexBuffer reader on its own: a small map with bytes flipped. */
static void
test_flexbuf_flip (void)
{
  static const guint8 map[] = {
    'a', 0, 's', 0, 2, 5, 4, 3, 'x', 'y', 'z', 0, 7, 1, 2, 1, 8, (1 << 2), (5 << 2), 4, (9 << 2), 1,
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
  guint parsed = 0;

  for (guint trial = 0; trial < 4000; trial++)
    {
      guint8 copy[sizeof map];
      LaminaNode *n;
      memcpy (copy, map, sizeof map);
      for (guint k = g_rand_int_range (rand, 1, 4); k > 0; k--)
        copy[g_rand_int_range (rand, 0, sizeof map)] = (guint8) g_rand_int_range (rand, 0, 256);
      n = lamina_graph_add_node (g, "n", "Custom", "");
      parsed += lamina_flexbuf_map_to_attrs (copy, sizeof copy, n);
      for (guint j = 0; j < n->attrs->len; j++)
        g_free (lamina_attr_format (g_ptr_array_index (n->attrs, j)));
    }
  g_test_message ("%u of 4000 damaged maps parsed", parsed);
}

/* tests/fuzz/seeds: the fuzzer's seeds and inputs it once found a bug
 * with; they run here too, so a machine without clang still checks them. */
static void
test_fuzz_seeds (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "fuzz", "seeds", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  Tally tally = { 0 };

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, NULL);
      g_autoptr(GBytes) bytes = g_mapped_file_get_bytes (mapped);
      try_load (bytes, name, &tally);
    }
  g_assert_cmpuint (tally.loaded + tally.failed, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autofree char *cut = g_strdup_printf ("/lamina/tflite/hostile/truncate/%s", models[i]);
      g_autofree char *flip = g_strdup_printf ("/lamina/tflite/hostile/flip/%s", models[i]);
      g_test_add_data_func (cut, models[i], test_truncate);
      g_test_add_data_func (flip, models[i], test_flip);
    }
  g_test_add_func ("/lamina/tflite/hostile/flexbuf", test_flexbuf_flip);
  g_test_add_func ("/lamina/tflite/hostile/fuzz-seeds", test_fuzz_seeds);
  return g_test_run ();
}
