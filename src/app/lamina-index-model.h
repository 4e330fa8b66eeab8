/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-index-model.h: a GListModel of n empty items, for list views whose
 * rows are drawn from the item's position (the tensor view's value table:
 * millions of elements, no object per element until a row is shown).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LAMINA_TYPE_INDEX_MODEL (lamina_index_model_get_type ())
G_DECLARE_FINAL_TYPE (LaminaIndexModel, lamina_index_model, LAMINA, INDEX_MODEL, GObject)

LaminaIndexModel *lamina_index_model_new (guint n_items);
/* Changes the length (emits items-changed). */
void              lamina_index_model_set_n_items (LaminaIndexModel *self, guint n_items);

G_END_DECLS
