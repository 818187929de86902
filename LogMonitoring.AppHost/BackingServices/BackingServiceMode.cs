namespace LogMonitoring.AppHost.BackingServices;

/// <summary>How Kafka and the log store are provided; configuration key <c>LogMonitoring:Mode</c>.</summary>
public enum BackingServiceMode
{
    /// <summary>Containers where a container engine answers, embedded otherwise.</summary>
    Auto,

    /// <summary>Kafka (KRaft) and MongoDB containers with named data volumes.</summary>
    Containers,

    /// <summary>librdkafka's mock cluster inside the AppHost process and a SQLite file: nothing to install.</summary>
    Embedded,

    /// <summary>Existing Kafka and MongoDB from <c>ConnectionStrings:kafka</c> and <c>ConnectionStrings:logstore</c>.</summary>
    External,
}
