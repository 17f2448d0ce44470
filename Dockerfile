# weka: the appliance image. Build it with `deno task image` (config/image/build.ts), which prepares what this file
# copies (.image/deno-dir: the npm packages weka imports, fetched on the build host, so the build needs no network)
# and, where no base image can be pulled, first builds the base from Debian packages (mmdebstrap) plus the Deno
# binary the build host runs (the one `npm install -g deno@2.9.6` installs).
#
# weka runs here through `deno run` with the same entry point and flags as `deno task compile` (main.ts, -A,
# --unstable-kv), wrapped in /usr/local/bin/weka: `deno compile` needs Deno's denort runtime, which cannot be
# downloaded on the machines this image is built on. The image behaves the same either way.
#
# Run:  podman run --network host --cap-drop all --cap-add NET_BIND_SERVICE,NET_RAW \
#         -v /etc/weka:/etc/weka -v weka-leases:/var/lib/weka weka
ARG BASE=localhost/weka-base:bookworm-deno
FROM ${BASE}

ENV DENO_DIR=/opt/weka/deno-dir \
    DENO_NO_UPDATE_CHECK=1 \
    DENO_NO_PROMPT=1 \
    NO_COLOR=1

# the program: its entry point, modules, lock file and the npm packages it imports (read-only for the server)
COPY deno.json deno.lock main.ts /opt/weka/
COPY mod /opt/weka/mod
COPY .image/deno-dir /opt/weka/deno-dir
COPY config/image/weka /usr/local/bin/weka
# the appliance default: serves no interface until one is named (edit it on the /etc/weka volume)
COPY config/weka.json /etc/weka/weka.json

# an unprivileged user; the server gets CAP_NET_BIND_SERVICE (port 67) and CAP_NET_RAW (AF_PACKET replies to
# clients without an address) from `--cap-add`, nothing else. The first run warms Deno's module cache.
RUN chmod 0755 /usr/local/bin/weka \
    && groupadd --system weka && useradd --system --gid weka --home-dir /var/lib/weka --shell /usr/sbin/nologin weka \
    && mkdir -p /var/lib/weka /run/weka \
    && chown weka:weka /var/lib/weka /run/weka \
    && weka version && weka config-test -c /etc/weka/weka.json \
    && chmod -R a+rX,go-w /opt/weka

USER weka
WORKDIR /var/lib/weka
VOLUME ["/etc/weka", "/var/lib/weka"]

# healthy while the server answers status-get on its control socket (the one /etc/weka/weka.json names: a
# configuration without a control socket makes the container unhealthy)
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["weka", "status", "-c", "/etc/weka/weka.json"]

ENTRYPOINT ["weka"]
CMD ["run", "-c", "/etc/weka/weka.json"]
