/* SPDX-License-Identifier: GPL-3.0-or-later */
/* placeholder main, replaced in the next commit */
#include <stdio.h>
int main (void) { return 1; }
