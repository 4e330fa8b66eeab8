/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-index-model.c: see lamina-index-model.h. Items are plain GObjects
 * made on request; list views only ask for the rows they show.
 */
#define G_LOG_DOMAIN "lamina-index-model"

#include "lamina-index-model.h"

struct _LaminaIndexModel
{
  GObject parent_instance;
  guint   n_items;
};

static void lamina_index_model_list_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LaminaIndexModel, lamina_index_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, lamina_index_model_list_init))

static GType
get_item_type (GListModel *model)
{
  return G_TYPE_OBJECT;
}

static guint
get_n_items (GListModel *model)
{
  return LAMINA_INDEX_MODEL (model)->n_items;
}

static gpointer
get_item (GListModel *model, guint position)
{
  if (position >= LAMINA_INDEX_MODEL (model)->n_items)
    return NULL;
  return g_object_new (G_TYPE_OBJECT, NULL);
}

static void
lamina_index_model_list_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
lamina_index_model_class_init (LaminaIndexModelClass *klass)
{
}

static void
lamina_index_model_init (LaminaIndexModel *self)
{
}

LaminaIndexModel *
lamina_index_model_new (guint n_items)
{
  LaminaIndexModel *self = g_object_new (LAMINA_TYPE_INDEX_MODEL, NULL);

  self->n_items = n_items;
  return self;
}

void
lamina_index_model_set_n_items (LaminaIndexModel *self, guint n_items)
{
  guint old;

  g_return_if_fail (LAMINA_IS_INDEX_MODEL (self));
  old = self->n_items;
  if (old == n_items)
    return;
  self->n_items = n_items;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old, n_items);
}
