/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fuzz-onnx.c: libFuzzer target for the ONNX reader. The bytes go straight
 * to lamina_onnx_load (format detection would turn most inputs away); a
 * loaded model is walked the way consumers walk it.
 */
#define G_LOG_DOMAIN "lamina-fuzz"

#include <stdint.h>
#include "onnx/lamina-onnx.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = lamina_onnx_load (bytes, "/nonexistent/fuzz.onnx", &error);

  if (model != NULL)
    {
      g_autoptr(GPtrArray) order = lamina_graph_toposort (model->graph, NULL);
      for (guint i = 0; i < model->graph->nodes->len; i++)
        {
          LaminaNode *n = g_ptr_array_index (model->graph->nodes, i);
          for (guint j = 0; j < n->attrs->len; j++)
            g_free (lamina_attr_format (g_ptr_array_index (n->attrs, j)));
        }
      (void) order;
    }
  return 0;
}
