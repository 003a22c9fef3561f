/* Calls that can overflow a fixed buffer are compile errors (after git's banned.h). */
#ifndef LC_BANNED_H
#define LC_BANNED_H

#define LC_BANNED(func) sorry_##func##_is_banned_use_lc_buf

#undef strcpy
#define strcpy(x, y) LC_BANNED(strcpy)
#undef strcat
#define strcat(x, y) LC_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) LC_BANNED(strncpy)
#undef sprintf
#define sprintf(...) LC_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) LC_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) LC_BANNED(strtok)

#endif
