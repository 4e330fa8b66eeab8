/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-test"

#include <glib/gstdio.h>
#include "lamina-test-util.h"

static char *
shared_file (const char *folder, const char *name)
{
  const char *root = g_getenv ("LAMINA_SHARED_DIR");
  g_autofree char *path = NULL;

  if (root == NULL)
    root = "../shared";
  path = g_build_filename (root, folder, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *msg = g_strdup_printf ("%s is absent (../shared not beside the checkout?)", path);
      g_test_skip (msg);
      return NULL;
    }
  return g_steal_pointer (&path);
}

char *
lamina_test_shared_model (const char *name)
{
  return shared_file ("models", name);
}

char *
lamina_test_shared_image (const char *name)
{
  return shared_file ("images", name);
}

static char *tmpdir;

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *entry;

  while (dir && (entry = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, entry, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir)
    g_dir_close (dir);
  g_rmdir (path);
}

static void
cleanup_tmpdir (void)
{
  if (tmpdir)
    remove_tree (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

const char *
lamina_test_tmpdir (void)
{
  if (tmpdir == NULL)
    {
      tmpdir = g_dir_make_tmp ("lamina-test-XXXXXX", NULL);
      g_assert_nonnull (tmpdir);
      atexit (cleanup_tmpdir);
    }
  return tmpdir;
}
