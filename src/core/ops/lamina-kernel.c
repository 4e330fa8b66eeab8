/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-kernel.c: the registry. The float family tables are merged once into one
 * array sorted by (domain, op_type) and searched with bsearch.
 */
#define G_LOG_DOMAIN "lamina-kernel"

#include <stdarg.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-kernel.h"

G_DEFINE_QUARK (lamina-kernel-error-quark, lamina_kernel_error)

/* One sorted array of kernels searched with bsearch. */
typedef struct {
  const LaminaKernel **kernels;
  guint                n;
} Registry;

static Registry registry, integer_registry;

static int
compare_kernels (const void *a, const void *b)
{
  const LaminaKernel *p = *(const LaminaKernel *const *) a, *q = *(const LaminaKernel *const *) b;
  int c = strcmp (p->domain, q->domain);

  return c != 0 ? c : strcmp (p->op_type, q->op_type);
}

static void
add_family (GPtrArray *all, const LaminaKernel *table, guint n)
{
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (all, (gpointer) &table[i]);
}

static void
registry_finish (Registry *r, GPtrArray *all)
{
  if (all->len > 1)   /* pdata is NULL while no family has kernels */
    qsort (all->pdata, all->len, sizeof (gpointer), compare_kernels);
  for (guint i = 1; i < all->len; i++)
    if (compare_kernels (&all->pdata[i - 1], &all->pdata[i]) == 0)
      g_error ("kernel %s registered twice", ((LaminaKernel *) all->pdata[i])->op_type);
  r->n = all->len;
  r->kernels = (const LaminaKernel **) g_ptr_array_free (all, FALSE);
}

static void
build_registry (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      GPtrArray *all = g_ptr_array_new ();
      add_family (all, lamina_kernels_elementwise, lamina_n_kernels_elementwise);
      add_family (all, lamina_kernels_reduce, lamina_n_kernels_reduce);
      add_family (all, lamina_kernels_conv, lamina_n_kernels_conv);
      add_family (all, lamina_kernels_tensor, lamina_n_kernels_tensor);
      registry_finish (&registry, all);
      all = g_ptr_array_new ();
      add_family (all, lamina_kernels_integer, lamina_n_kernels_integer);
      registry_finish (&integer_registry, all);
      g_once_init_leave (&once, 1);
    }
}

static const LaminaKernel *
registry_find (const Registry *r, const char *op_type, const char *domain)
{
  LaminaKernel key = { .op_type = op_type, .domain = domain ? domain : "" };
  const LaminaKernel *pkey = &key, **found;

  /* "ai.onnx" is the default domain spelled out */
  if (g_strcmp0 (key.domain, "ai.onnx") == 0)
    key.domain = "";
  if (r->n == 0 || op_type == NULL)
    return NULL;
  found = bsearch (&pkey, r->kernels, r->n, sizeof (gpointer), compare_kernels);
  return found ? *found : NULL;
}

const LaminaKernel *
lamina_kernel_lookup (const char *op_type, const char *domain)
{
  const LaminaKernel *k;

  build_registry ();
  k = registry_find (&registry, op_type, domain);
  return k ? k : registry_find (&integer_registry, op_type, domain);
}

const LaminaKernel *
lamina_kernel_lookup_integer (const char *op_type, const char *domain)
{
  build_registry ();
  return registry_find (&integer_registry, op_type, domain);
}

static gboolean
is_quantized_integer (const LaminaTensor *t)
{
  return t != NULL && t->quant != NULL
         && (t->dtype == LAMINA_DTYPE_INT8 || t->dtype == LAMINA_DTYPE_UINT8 || t->dtype == LAMINA_DTYPE_INT16);
}

/* The node's activations are quantized integers: its first input (or, for
 * TFLite's Quantize that reads float, its first output). */
static gboolean
node_is_quantized (const LaminaNode *node)
{
  const LaminaTensor *first = NULL;

  if (node->inputs->len > 0)
    first = g_ptr_array_index (node->inputs, 0);
  if (!is_quantized_integer (first) && node->outputs->len > 0)
    first = g_ptr_array_index (node->outputs, 0);
  return is_quantized_integer (first);
}

gboolean
lamina_kernel_node_needs_fallback (const LaminaNode *node)
{
  build_registry ();
  return node_is_quantized (node) && lamina_kernel_lookup_integer (node->op_type, node->domain) == NULL
         && registry_find (&registry, node->op_type, node->domain) != NULL;
}

const LaminaKernel *
lamina_kernel_lookup_node (const LaminaNode *node)
{
  const LaminaKernel *integer = NULL;

  if (node_is_quantized (node))
    {
      integer = lamina_kernel_lookup_integer (node->op_type, node->domain);
      if (integer == NULL && lamina_kernel_node_needs_fallback (node))
        return &lamina_kernel_fallback;
    }
  return integer ? integer : lamina_kernel_lookup (node->op_type, node->domain);
}

guint
lamina_kernel_count (void)
{
  build_registry ();
  return registry.n;
}

const LaminaKernel *
lamina_kernel_nth (guint i)
{
  build_registry ();
  return i < registry.n ? registry.kernels[i] : NULL;
}

void
lamina_kernel_fused_clamp (const LaminaKernelCall *call, float *lo, float *hi)
{
  float a = *lo, b = *hi;

  if (call->clamp == NULL)
    return;
  /* clamp (clamp (x, a, b), c, d): disjoint ranges give the constant c or d */
  *lo = MIN (MAX (a, call->clamp->lo), call->clamp->hi);
  *hi = MAX (MIN (b, call->clamp->hi), call->clamp->lo);
}

gboolean
lamina_kernel_fail (const LaminaKernelCall *call, GError **error, LaminaKernelError code, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* "Conv “conv1”: ..." so the user finds the node */
  g_set_error (error, LAMINA_KERNEL_ERROR, code, "%s “%s”: %s", call->node->op_type,
               call->node->name, message);
  return FALSE;
}
