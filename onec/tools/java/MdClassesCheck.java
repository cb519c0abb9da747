// Loads the Designer dump with mdclasses (io.github.1c-syntax:mdclasses) and prints what it read, one line per
// item, for tools/checks/mdclasses.mjs to compare with what the XML declares. Runs as a single-file source program:
//   java -cp <mdclasses classpath> MdClassesCheck.java <path to src/cf>
// Exit code 2 when mdclasses throws; the comparison (missing or unreadable objects) is the Node side's job.
import com.github._1c_syntax.bsl.mdclasses.Configuration;
import com.github._1c_syntax.bsl.mdclasses.MDClasses;
import com.github._1c_syntax.bsl.mdo.CommonForm;
import com.github._1c_syntax.bsl.mdo.MD;
import com.github._1c_syntax.bsl.mdo.Module;
import com.github._1c_syntax.bsl.mdo.Role;
import com.github._1c_syntax.bsl.mdo.children.ObjectForm;
import com.github._1c_syntax.bsl.mdo.storage.FormData;
import java.nio.file.Path;

public class MdClassesCheck {
  public static void main(String[] args) {
    var root = Path.of(args[0]).toAbsolutePath();
    Object loaded;
    try {
      loaded = MDClasses.createConfiguration(root);
    } catch (RuntimeException e) {
      System.out.println("ERROR mdclasses failed: " + e);
      System.exit(2);
      return;
    }
    if (!(loaded instanceof Configuration cf) || cf.getName() == null || cf.getName().isEmpty()) {
      System.out.println("ERROR no configuration read from " + root + " (got " + loaded.getClass().getSimpleName() + ")");
      System.exit(2);
      return;
    }
    System.out.println("CONFIGURATION " + cf.getName() + " " + cf.getUuid());
    for (MD md : cf.getPlainChildren()) {
      System.out.println("MD " + md.getMdoRef() + " " + md.getUuid());
      if (md instanceof ObjectForm f) form(f.getMdoRef(), f.getData());
      if (md instanceof CommonForm f) form(f.getMdoRef(), f.getData());
      if (md instanceof Role r) System.out.println("ROLE " + r.getMdoRef() + " " + r.getData().objectRights().size());
    }
    for (Module m : cf.getAllModules()) {
      System.out.println("MODULE " + m.getOwner().getMdoRef() + " " + m.getModuleType() + " " + root.relativize(Path.of(m.getUri())));
    }
  }

  private static void form(String ref, FormData data) {
    int items = data == null ? 0 : data.getPlainItems().size();
    int attributes = data == null ? 0 : data.getAttributes().size();
    System.out.println("FORM " + ref + " " + items + " " + attributes);
  }
}
