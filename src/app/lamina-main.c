/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina"

#include <locale.h>
#include <glib/gi18n.h>
#include "lamina-application.h"

int
main (int argc, char *argv[])
{
  g_autoptr(LaminaApplication) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name (_("Lamina"));

  app = lamina_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  return status != 0 ? status : lamina_application_get_exit_status (app);
}
