// akash_exporter: all logic lives in the akash::app library; this file only hands over argv.
#include "exporter/app/daemon.h"

int main(int argc, char** argv) { return akash::app::Main(argc, argv); }
