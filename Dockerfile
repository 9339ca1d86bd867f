# syntax=docker/dockerfile:1
# The `verify` program in a container: an SDK stage builds and publishes it, a runtime stage runs it.
#   docker build -t verify:latest .
#   docker run --rm -v "$PWD/../shared:/data:ro" -v "$PWD/results:/results" verify:latest \
#       bench /data/benchmarks/vnncomp2021/test/test_instances.csv --out /results/test.csv
# Benchmarks and results are mounted, never copied into the image (see deploy/README.md).
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
# Restore first, from the project files only, so that source edits do not invalidate the package layer.
COPY Directory.Build.props Directory.Build.targets Verify.sln ./
COPY build/ build/
COPY src/Verify/Verify.csproj src/Verify/
COPY src/Training/Training.csproj src/Training/
COPY src/Verify.Cli/Verify.Cli.csproj src/Verify.Cli/
ARG TORCH_BACKEND=cpu
RUN dotnet restore src/Verify.Cli/Verify.Cli.csproj -r linux-x64 -p:TorchBackend=${TORCH_BACKEND}
COPY src/ src/
# Framework-dependent, linux-x64 natives only; build/LibTorchSharpCompat.targets patches libLibTorchSharp.so here
# when this stage's libstdc++ is too old for it (the runtime stage has the same distribution).
RUN dotnet publish src/Verify.Cli/Verify.Cli.csproj -c Release -r linux-x64 --self-contained false --no-restore \
        -p:TorchBackend=${TORCH_BACKEND} -o /app

FROM mcr.microsoft.com/dotnet/runtime:${DOTNET_VERSION} AS runtime
# fontconfig for the PNG plots of `verify train` (SkiaSharp); everything else is bundled in /app.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libfontconfig1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
# Results go to a mounted volume; /data holds the (read-only) benchmarks.
RUN mkdir -p /results /data && chown app:app /results
ENV NO_COLOR=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    VERIFY_SHARED=/data
USER app
WORKDIR /results
ENTRYPOINT ["dotnet", "/app/Verify.Cli.dll"]
CMD ["--help"]
