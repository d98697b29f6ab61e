#include "board_harness.h"
