/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-search"

#include <string.h>
#include "lamina-search.h"

/* ASCII case-insensitive substring test; names in model files are ASCII in
 * practice, and other bytes simply compare exactly. */
static gboolean
contains_ci (const char *haystack, const char *needle, gsize needle_len)
{
  if (haystack == NULL)
    return FALSE;
  for (const char *p = haystack; *p; p++)
    if (g_ascii_strncasecmp (p, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

static void
add_match (GArray *out, guint max, guint *total, LaminaMatchKind kind, LaminaNode *node, LaminaTensor *tensor)
{
  LaminaSearchMatch m = { kind, node, tensor };

  if (out->len < max)
    g_array_append_val (out, m);
  (*total)++;
}

GArray *
lamina_search_graph (LaminaGraph *graph, const char *query, guint max_results, guint *n_total)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (LaminaSearchMatch));
  gsize len = query ? strlen (query) : 0;
  guint total = 0;

  if (len > 0 && graph != NULL)
    {
      for (guint i = 0; i < graph->nodes->len; i++)
        {
          LaminaNode *n = g_ptr_array_index (graph->nodes, i);
          if (contains_ci (n->name, query, len))
            add_match (out, max_results, &total, LAMINA_MATCH_NODE_NAME, n, NULL);
          else if (contains_ci (n->op_type, query, len))
            add_match (out, max_results, &total, LAMINA_MATCH_OP_TYPE, n, NULL);
        }
      for (guint i = 0; i < graph->tensors->len; i++)
        {
          LaminaTensor *t = g_ptr_array_index (graph->tensors, i);
          LaminaNode *n = t->producer;
          if (!contains_ci (t->name, query, len))
            continue;
          if (n == NULL && t->consumers && t->consumers->len > 0)
            n = g_ptr_array_index (t->consumers, 0);
          add_match (out, max_results, &total, LAMINA_MATCH_TENSOR, n, t);
        }
    }
  if (n_total)
    *n_total = total;
  return out;
}
