// DynamoDB Local on the loopback interface only. DynamoDB Local has no option to choose the address it listens on
// (its options: -port, -inMemory, -dbPath, -sharedDb, -cors, -delayTransientStatuses, -optimizeDbBeforeStartup,
// -disableTelemetry, -help, -version), and its Jetty server is built with `new Server(port)`, which listens on every
// interface: anyone on the network could read and write the tables, around the local cloud's SigV4 and IAM. This
// launcher builds the server exactly as DynamoDB Local's own main does (ServerRunner.createServerFromCommandLineArgs,
// the same arguments), sets the host of its one Jetty connector before it starts, and starts it.
//
// Compiled by local.ts with the JVM's own compiler module (`java -m jdk.compiler/com.sun.tools.javac.Main`), once per
// source and jar, and run from its class: Debian's and Ubuntu's openjdk-17-jre-headless ship that module.
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.CommandLineInput;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("dynamodb.local.host", "127.0.0.1");
    // As ServerRunner.main: invalid options print DynamoDB Local's own usage and stop.
    if (!new CommandLineInput(args).init()) return;
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local's Jetty server has no connector to bind to " + host);
    for (Connector connector : connectors) ((ServerConnector) connector).setHost(host);
    proxy.start();
    System.out.println("Listening on " + host + " only (orderflow's LoopbackDynamoDBLocal)");
  }
}
