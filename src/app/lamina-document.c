/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-document"

#include "lamina-document.h"

struct _LaminaDocument
{
  GObject      parent_instance;
  GFile       *file;
  char        *title;
  LaminaModel *model;
  double       load_ms;
};

G_DEFINE_FINAL_TYPE (LaminaDocument, lamina_document, G_TYPE_OBJECT)

enum { PROP_0, PROP_FILE, PROP_TITLE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
lamina_document_finalize (GObject *object)
{
  LaminaDocument *self = LAMINA_DOCUMENT (object);

  g_clear_object (&self->file);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->model, lamina_model_free);
  G_OBJECT_CLASS (lamina_document_parent_class)->finalize (object);
}

static void
lamina_document_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LaminaDocument *self = LAMINA_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_document_class_init (LaminaDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lamina_document_finalize;
  object_class->get_property = lamina_document_get_property;
  properties[PROP_FILE] = g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lamina_document_init (LaminaDocument *self)
{
}

LaminaDocument *
lamina_document_load (GFile *file, GCancellable *cancellable, GError **error)
{
  g_autoptr(LaminaDocument) self = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *base = g_file_get_basename (file);
  gint64 start = g_get_monotonic_time ();
  LaminaModel *model;

  /* Local files are mapped (weights stay in the page cache, not copied);
   * other GFiles (portals, remote) are read into memory. */
  if (path != NULL)
    model = lamina_model_load (path, error);
  else
    {
      g_autoptr(GError) local = NULL;
      bytes = g_file_load_bytes (file, cancellable, NULL, &local);
      if (bytes == NULL)
        {
          g_set_error (error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_IO,
                       "%s: cannot read the file: %s", base, local->message);
          return NULL;
        }
      model = lamina_model_load_bytes (bytes, base, error);
    }
  if (model == NULL)
    return NULL;

  self = g_object_new (LAMINA_TYPE_DOCUMENT, NULL);
  self->file = g_object_ref (file);
  self->title = g_steal_pointer (&base);
  self->model = model;
  self->load_ms = (g_get_monotonic_time () - start) / 1000.0;
  return g_steal_pointer (&self);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  LaminaDocument *doc = lamina_document_load (G_FILE (task_data), cancellable, &error);

  if (doc == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, doc, g_object_unref);
}

void
lamina_document_load_async (GFile *file, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lamina_document_load_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

LaminaDocument *
lamina_document_load_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

GFile *
lamina_document_get_file (LaminaDocument *self)
{
  return self->file;
}

const char *
lamina_document_get_title (LaminaDocument *self)
{
  return self->title;
}

LaminaModel *
lamina_document_get_model (LaminaDocument *self)
{
  return self->model;
}

double
lamina_document_get_load_ms (LaminaDocument *self)
{
  return self->load_ms;
}
