/* labctl's version, for --version and what labctl records about itself. */
#ifndef LC_VERSION_H
#define LC_VERSION_H

#define LC_VERSION "0.10.0"

#endif
