# Loa: multi-stage build. The final image holds one static binary, the time
# zone data it embeds, CA certificates for api.telegram.org, and nothing else.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/loa .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/loa /loa
USER nonroot:nonroot
# Webhook listener (8080) and health/metrics listener (8081); bind them to
# all interfaces inside the container.
ENV LOA_HTTP_ADDR=0.0.0.0:8080 LOA_OPS_ADDR=0.0.0.0:8081
EXPOSE 8080 8081
ENTRYPOINT ["/loa"]
CMD ["run"]
