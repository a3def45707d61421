# The image the Helm chart runs. Built elsewhere (CI with a container builder); this repository's
# test machines have no container runtime, so nothing here builds or runs it:
#   docker build -t REGISTRY/akash-exporter:0.1.0 .
# Stage 1 builds the Debian package with the project's own dependency list and configure line;
# stage 2 installs that package, so the runtime libraries are exactly the package's Depends.

FROM debian:12-slim AS build
WORKDIR /src
COPY scripts/deps.sh scripts/deps.sh
# dpkg-dev and file: cpack computes the package's Depends with dpkg-shlibdeps.
RUN bash -c 'source scripts/deps.sh && akash_install_packages "${AKASH_BUILD_PACKAGES[@]}" dpkg-dev file' \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DAKASH_BUILD_TESTS=OFF \
      -DAKASH_BUILD_BENCH=OFF \
 && cmake --build /build --target akash_exporter \
 && cd /build && cpack -G DEB -B /build/pkg

FROM debian:12-slim
COPY --from=build /build/pkg/akash-exporter_*.deb /tmp/
# ca-certificates: the upstream APIs are HTTPS.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates \
      /tmp/akash-exporter_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/akash-exporter_*.deb
# 65532: the conventional "nonroot" id, the one the Helm chart's securityContext runs as.
USER 65532:65532
EXPOSE 9733
ENTRYPOINT ["/usr/bin/akash_exporter"]
CMD ["--config.file=/etc/akash-exporter/config.yml"]
