/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fuzz-tflite.c: libFuzzer target for the TFLite reader. The input gets the
 * "TFL3" identifier stamped at bytes 4..7 so every input reaches the TFLite
 * loader rather than format detection; a loaded model is walked the way
 * consumers walk it. The same bytes also go through the FlexBuffer reader
 * (TFLite custom options), which the loader reaches only rarely.
 */
#define G_LOG_DOMAIN "lamina-fuzz"

#include <stdint.h>
#include <string.h>
#include "lamina-model-load.h"
#include "tflite/lamina-flexbuf.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
walk (LaminaModel *model)
{
  for (guint gi = 0; gi < model->graphs->len; gi++)
    {
      LaminaGraph *g = g_ptr_array_index (model->graphs, gi);
      g_autoptr(GPtrArray) order = lamina_graph_toposort (g, NULL);

      g_assert (order == NULL || order->len == g->nodes->len);

      for (guint i = 0; i < g->tensors->len; i++)
        g_free (lamina_shape_to_string (&((LaminaTensor *) g_ptr_array_index (g->tensors, i))->shape));
      for (guint i = 0; i < g->nodes->len; i++)
        {
          LaminaNode *n = g_ptr_array_index (g->nodes, i);
          for (guint j = 0; j < n->attrs->len; j++)
            g_free (lamina_attr_format (g_ptr_array_index (n->attrs, j)));
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(LaminaGraph) scratch = lamina_graph_new ("flexbuf");
  guint8 *copy;

  if (size >= 8)
    {
      copy = g_memdup2 (data, size);
      memcpy (copy + 4, "TFL3", 4);
      bytes = g_bytes_new_take (copy, size);
      model = lamina_model_load_bytes (bytes, "fuzz.tflite", NULL);
      if (model != NULL)
        walk (model);
    }
  lamina_flexbuf_map_to_attrs (data, size, lamina_graph_add_node (scratch, "n", "Custom", ""));
  return 0;
}
