#include "core/losses/task_weighting.h"
