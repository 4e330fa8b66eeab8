/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-kernel.c: the registry. The family tables are merged once into one
 * array sorted by (domain, op_type) and searched with bsearch.
 */
#define G_LOG_DOMAIN "lamina-kernel"

#include <stdarg.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-kernel.h"

G_DEFINE_QUARK (lamina-kernel-error-quark, lamina_kernel_error)

static const LaminaKernel **registry;
static guint n_registry;

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
      if (all->len > 1)   /* pdata is NULL while no family has kernels */
        qsort (all->pdata, all->len, sizeof (gpointer), compare_kernels);
      for (guint i = 1; i < all->len; i++)
        if (compare_kernels (&all->pdata[i - 1], &all->pdata[i]) == 0)
          g_error ("kernel %s registered twice", ((LaminaKernel *) all->pdata[i])->op_type);
      n_registry = all->len;
      registry = (const LaminaKernel **) g_ptr_array_free (all, FALSE);
      g_once_init_leave (&once, 1);
    }
}

const LaminaKernel *
lamina_kernel_lookup (const char *op_type, const char *domain)
{
  LaminaKernel key = { .op_type = op_type, .domain = domain ? domain : "" };
  const LaminaKernel *pkey = &key, **found;

  /* "ai.onnx" is the default domain spelled out */
  if (g_strcmp0 (key.domain, "ai.onnx") == 0)
    key.domain = "";
  build_registry ();
  if (n_registry == 0)
    return NULL;
  found = bsearch (&pkey, registry, n_registry, sizeof (gpointer), compare_kernels);
  return found ? *found : NULL;
}

guint
lamina_kernel_count (void)
{
  build_registry ();
  return n_registry;
}

const LaminaKernel *
lamina_kernel_nth (guint i)
{
  build_registry ();
  return i < n_registry ? registry[i] : NULL;
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
