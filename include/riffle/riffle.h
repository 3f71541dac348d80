/*
 * riffle/riffle.h — umbrella header: include this one.
 * riffle runs Spark-style DataFrame jobs on MPI clusters: see docs/ARCHITECTURE.md.
 */
#ifndef RIFFLE_H
#define RIFFLE_H
#include "riffle/types.h"
#include "riffle/session.h"
#include "riffle/dataframe.h"
#include "riffle/stream.h"
#include "riffle/udf.h"
#include "riffle/rdd.h"
#define RF_VERSION_STRING "0.1.0"
#endif
