/* Prints the Hyperscan-API engine's version string so CMake can tell the engines apart. */
#include <hs/hs.h>
#include <stdio.h>
int main(void) { puts(hs_version()); return 0; }
