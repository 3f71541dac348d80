# Spack package recipe for riffle: copy this directory's package.py into a Spack repository as
# packages/riffle/package.py (spack repo create myrepo; spack repo add myrepo), then
#   spack install riffle ^openmpi        (or ^mpich, ^cray-mpich, ...)
# Spark's programming model in C for HPC clusters: MPI, parallel HDF5, OpenMP.
import os

from spack.package import *


class Riffle(AutotoolsPackage):
    """Spark's programming model (lazy DataFrames, Spark SQL, RDDs, Structured Streaming) in C for
    HPC clusters, launched with mpirun or srun: the same job on 1 rank or 1,000 with identical
    results, data larger than memory, atomic outputs."""

    # riffle has no public release host yet: Spack clones the repository named by $RIFFLE_GIT (a
    # path or URL of your clone). A release tarball is `make dist`'s riffle-0.1.0.tar.gz.
    homepage = "https://example.org/riffle"   # a placeholder until riffle is published
    git = os.environ.get("RIFFLE_GIT", "file:///opt/src/riffle")

    version("main", branch="main")

    variant("tests", default=False, description="Build and run the test suite (needs CUnit and sqlite3)")

    # a git checkout needs the autotools; a release tarball (make dist) does not
    depends_on("autoconf", type="build", when="@main")
    depends_on("automake", type="build", when="@main")
    depends_on("libtool", type="build", when="@main")
    depends_on("pkgconfig", type="build")
    depends_on("mpi")
    depends_on("hdf5+mpi")
    depends_on("cunit", type="test", when="+tests")
    depends_on("sqlite", type="test", when="+tests")

    def autoreconf(self, spec, prefix):
        autoreconf_ = which("autoreconf")
        autoreconf_("-fi")

    def configure_args(self):
        hdf5 = self.spec["hdf5"]
        return [
            "MPICC=" + self.spec["mpi"].mpicc,
            # the HDF5 Spack built, whatever pkg-config files it has
            "HDF5_CFLAGS=-I" + hdf5.prefix.include,
            "HDF5_LIBS=" + hdf5.libs.ld_flags,
        ]

    def setup_run_environment(self, env):
        env.prepend_path("PKG_CONFIG_PATH", self.prefix.lib.pkgconfig)
