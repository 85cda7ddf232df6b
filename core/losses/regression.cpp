#include "core/losses/regression.h"
